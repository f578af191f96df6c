using CathLab.Dicom.Network.Association;
using CathLab.Dicom.Network.Services.Echo;
using CathLab.Dicom.Network.Services.StorageCommitment;
using CathLab.Publishing.Journal;
using CathLab.Publishing.Tests.Support;
using CathLab.Testing;

namespace CathLab.Publishing.Tests;

/// <summary>A PACS that went down may have lost the commitment reports it owed. When it answers again, every commitment
/// still waiting is asked again at once, not after the commitment timeout (an hour here).</summary>
public sealed class CommitmentAfterPacsReturnTests : IAsyncLifetime
{
    private readonly TempDirectory _temp = new();
    private readonly CommitmentTracker _listenerTracker = new();
    private readonly CommitmentTracker _outboxTracker = new();
    private DicomServer _listener = null!;
    private OrthancPeer _orthanc = null!;
    private volatile bool _reportsArrive;
    private int _lostReports;

    public Task InitializeAsync()
    {
        // Orthanc's reports reach the listener; they reach the outbox only once the test lets them, which stands for
        // reports a PACS lost when it went down.
        _listenerTracker.Unsolicited += report =>
        {
            if (_reportsArrive) _outboxTracker.Deliver(report);
            else Interlocked.Increment(ref _lostReports);
        };
        _listener = DicomServer.Start(new DicomServerOptions { AeTitle = TestOutbox.Station }, new CommitmentReportReceiver(_listenerTracker), new EchoScp());
        _orthanc = new OrthancPeer(TestOutbox.Station, _listener.Port).Start();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _orthanc.Dispose();
        await _listener.DisposeAsync();
        _temp.Dispose();
    }

    private string WriteRun(string name)
    {
        var path = Path.Combine(_temp.Sub("spool"), name + ".dcm");
        SyntheticDicomFile.Write(path, frames: 2, rows: 96, columns: 96);
        return path;
    }

    [Fact]
    public async Task Open_commitments_are_asked_again_as_soon_as_the_PACS_answers_after_being_down()
    {
        var options = TestOutbox.Options(_temp.File("outbox.db"), _orthanc.Destination()) with { CommitmentTimeout = TimeSpan.FromHours(1) };
        await using var outbox = Outbox.Open(options, _outboxTracker);
        var first = new[] { WriteRun("a"), WriteRun("b") };
        var firstUids = first.Select(f => Dicom.Network.Part10.Part10Meta.Read(f).SopInstanceUid).ToHashSet();
        foreach (var file in first) outbox.Add(file);
        await Eventually.True(() => Volatile.Read(ref _lostReports) >= 1 && outbox.Counts().Sent == 2, () => TestOutbox.Describe(outbox));

        _orthanc.Stop();
        var during = WriteRun("c");
        outbox.Add(during);
        await Eventually.True(() => outbox.Items(DeliveryState.Pending).Any(i => i.Attempts >= 1), () => TestOutbox.Describe(outbox));
        _reportsArrive = true;
        _orthanc.Start();

        await Eventually.True(() => outbox.Counts().Committed == 3, () => TestOutbox.Describe(outbox) + "\n" + _orthanc.Log);
        Assert.Equal(3, (await _orthanc.InstanceUidsAsync()).Count);
        // Asked again, not sent again: the first two were stored once.
        Assert.All(outbox.Items().Where(i => firstUids.Contains(i.SopInstanceUid)), i => Assert.Equal(1, i.Attempts));
    }
}
