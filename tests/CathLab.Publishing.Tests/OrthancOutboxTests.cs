using CathLab.Dicom.Network.Association;
using CathLab.Dicom.Network.Services.Echo;
using CathLab.Dicom.Network.Services.StorageCommitment;
using CathLab.Publishing.Journal;
using CathLab.Publishing.Tests.Support;
using CathLab.Testing;

namespace CathLab.Publishing.Tests;

/// <summary>Orthanc as the PACS, with storage commitment: its reports come back on an association it opens to the
/// station's listener, which shares the outbox's tracker as the station's own listener will.</summary>
public sealed class OrthancOutboxTests : IAsyncLifetime
{
    private readonly TempDirectory _temp = new();
    private readonly CommitmentTracker _tracker = new();
    private DicomServer _listener = null!;
    private OrthancPeer _orthanc = null!;

    public Task InitializeAsync()
    {
        _listener = DicomServer.Start(new DicomServerOptions { AeTitle = TestOutbox.Station }, new CommitmentReportReceiver(_tracker), new EchoScp());
        _orthanc = new OrthancPeer(TestOutbox.Station, _listener.Port).Start();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _orthanc.Dispose();
        await _listener.DisposeAsync();
        _temp.Dispose();
    }

    private string[] WriteRuns(int count, string prefix) => SpooledRuns.Write(_temp, count, prefix, side: 128);

    private string Why(Outbox outbox) => TestOutbox.Describe(outbox) + "\n" + _orthanc.Log;

    [Fact]
    public async Task OrthancCommitsEveryObjectAndTheFilesAreDeleted()
    {
        var files = WriteRuns(3, "cine");
        var uids = files.Select(f => Dicom.Network.Part10.Part10Meta.Read(f).SopInstanceUid).ToArray();
        await using var outbox = Outbox.Open(TestOutbox.Options(_temp.File("outbox.db"), _orthanc.Destination()), _tracker);

        foreach (var file in files)
        {
            outbox.Add(file);
        }

        await Eventually.True(() => outbox.Counts().Committed == 3, () => Why(outbox));
        await Eventually.True(() => files.All(f => !File.Exists(f)), () => "files still on disk");
        Assert.Equal(uids.Order(), (await _orthanc.InstanceUidsAsync()).Order());
        Assert.All(outbox.Items(), i => Assert.True(i.FileReleased));
    }

    [Fact]
    public async Task WhileOrthancIsDownObjectsWaitAndAfterItsRestartEachIsStoredOnce()
    {
        var options = TestOutbox.Options(_temp.File("outbox.db"), _orthanc.Destination());
        await using var outbox = Outbox.Open(options, _tracker);
        var before = WriteRuns(2, "before");
        foreach (var file in before)
        {
            outbox.Add(file);
        }
        await Eventually.True(() => outbox.Counts().Committed == 2, () => Why(outbox));

        _orthanc.Stop();
        var during = WriteRuns(2, "during");
        foreach (var file in during)
        {
            outbox.Add(file);
        }
        await Eventually.True(() => outbox.Items(DeliveryState.Pending).Count(i => i.Attempts >= 1) == 2, () => TestOutbox.Describe(outbox));
        Assert.All(during, f => Assert.True(File.Exists(f)));

        _orthanc.Start();
        await Eventually.True(() => outbox.Counts().Committed == 4, () => Why(outbox));

        var stored = await _orthanc.InstanceUidsAsync();
        Assert.Equal(4, stored.Count);
        Assert.Equal(outbox.Items().Select(i => i.SopInstanceUid).Order(), stored.Order());
        await Eventually.True(() => before.Concat(during).All(f => !File.Exists(f)), () => "files still on disk");
    }

    [Fact]
    public async Task ACommitmentWhoseReportWasLostIsAskedAgainAfterARestart()
    {
        var options = TestOutbox.Options(_temp.File("outbox.db"), _orthanc.Destination());
        var files = WriteRuns(2, "run");
        var lostReports = 0;
        void Lost(CommitmentReport _) => Interlocked.Increment(ref lostReports);
        _tracker.Unsolicited += Lost;
        // The first outbox's tracker is not the listener's: Orthanc's report reaches the station but not this outbox,
        // as when the station dies between N-ACTION and N-EVENT-REPORT.
        await using (var first = Outbox.Open(options, new CommitmentTracker()))
        {
            foreach (var file in files)
            {
                first.Add(file);
            }
            await Eventually.True(() => Volatile.Read(ref lostReports) >= 1 && first.Counts().Sent == 2, () => Why(first));
        }
        _tracker.Unsolicited -= Lost;
        Assert.All(files, f => Assert.True(File.Exists(f)));

        await using var second = Outbox.Open(options, _tracker);
        await Eventually.True(() => second.Counts().Committed == 2, () => Why(second));
        await Eventually.True(() => files.All(f => !File.Exists(f)), () => "files still on disk");
        Assert.Equal(2, (await _orthanc.InstanceUidsAsync()).Count);
        Assert.All(second.Items(), i => Assert.Equal(1, i.Attempts));
    }

    [Fact]
    public async Task AnObjectThePacsDoesNotHoldFailsCommitmentAndIsSentAgain()
    {
        var options = TestOutbox.Options(_temp.File("outbox.db"), _orthanc.Destination());
        var file = WriteRuns(1, "lost").Single();
        // The journal says Orthanc stored it, but Orthanc never saw it (as when a PACS loses an object).
        using (var journal = OutboxJournal.Open(options.JournalPath))
        {
            var id = journal.Add(Intake.CompleteFileInspector.Inspect(file), ["orthanc"]).Id;
            journal.MarkSending(id, "orthanc");
            journal.MarkSent(id, "orthanc", final: false, warning: null);
        }

        await using var outbox = Outbox.Open(options, _tracker);

        await Eventually.True(() => outbox.Counts().Committed == 1, () => Why(outbox));
        var item = Assert.Single(outbox.Items());
        Assert.Equal(2, item.Attempts); // the journalled send, then the re-send after Orthanc reported "no such object instance"
        Assert.Single(await _orthanc.InstanceUidsAsync());
        await Eventually.True(() => !File.Exists(file), () => "file still on disk");
    }
}
