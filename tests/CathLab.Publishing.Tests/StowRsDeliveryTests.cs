using CathLab.Publishing.Delivery;
using CathLab.Publishing.Journal;
using CathLab.Publishing.Tests.Support;
using CathLab.Testing;

namespace CathLab.Publishing.Tests;

/// <summary>A DICOMweb archive as the destination: Orthanc with Debian's DICOMweb plugin takes each object by STOW-RS;
/// its answer per instance is the commitment. Down for a while, it gets every object once when it is back.</summary>
public sealed class StowRsDeliveryTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly OrthancPeer _orthanc = new OrthancPeer(TestOutbox.Station, FreePort.Next(), dicomWeb: true).Start();

    public void Dispose()
    {
        _orthanc.Dispose();
        _temp.Dispose();
    }

    private string[] WriteRuns(int count, string prefix) => SpooledRuns.Write(_temp, count, prefix, side: 128);

    private PacsDestination Archive() => PacsDestination.StowRs("orthanc-web", _orthanc.DicomWebRoot);

    private string Why(Outbox outbox) => TestOutbox.Describe(outbox) + "\n" + _orthanc.Log;

    [Fact]
    public async Task EveryObjectIsStoredByStowRsAndTheFilesAreReleased()
    {
        var files = WriteRuns(3, "cine");
        var uids = files.Select(f => Dicom.Network.Part10.Part10Meta.Read(f).SopInstanceUid).ToArray();
        await using var outbox = Outbox.Open(TestOutbox.Options(_temp.File("outbox.db"), Archive()));
        foreach (var file in files) outbox.Add(file);

        await Eventually.True(() => outbox.Counts().Committed == 3, () => Why(outbox));
        Assert.Equal(uids.Order(), (await _orthanc.InstanceUidsAsync()).Order());
        await Eventually.True(() => files.All(f => !File.Exists(f)), () => "files still on disk");
        // What Orthanc stored is the object sent, pixel data included.
        var id = (await _orthanc.InstanceIdsAsync())[0];
        var downloaded = _temp.File("back.dcm");
        await _orthanc.DownloadAsync(id, downloaded);
        Assert.True(new FileInfo(downloaded).Length > 128 * 128 * 2 * 2);
    }

    [Fact]
    public async Task WhileTheArchiveIsDownObjectsWaitAndAfterItsRestartEachIsStoredOnce()
    {
        await using var outbox = Outbox.Open(TestOutbox.Options(_temp.File("outbox.db"), Archive()));
        var before = WriteRuns(2, "before");
        foreach (var file in before) outbox.Add(file);
        await Eventually.True(() => outbox.Counts().Committed == 2, () => Why(outbox));

        _orthanc.Stop();
        var during = WriteRuns(2, "during");
        foreach (var file in during) outbox.Add(file);
        await Eventually.True(() => outbox.Items(DeliveryState.Pending).Count(i => i.Attempts >= 1) == 2, () => TestOutbox.Describe(outbox));
        Assert.All(outbox.Items(DeliveryState.Pending), i => Assert.Contains("STOW-RS", i.LastError));
        Assert.All(during, f => Assert.True(File.Exists(f)));

        _orthanc.Start();
        await Eventually.True(() => outbox.Counts().Committed == 4, () => Why(outbox));
        var stored = await _orthanc.InstanceUidsAsync();
        Assert.Equal(outbox.Items().Select(i => i.SopInstanceUid).Order(), stored.Order());
    }

    [Fact]
    public async Task ALinkCutMidObjectIsSentAgainWholeAndStoredOnce()
    {
        await using var relay = new StallingRelay(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, _orthanc.HttpPort));
        relay.CutNextAfter(100_000);
        var file = SpooledRuns.Write(_temp, 1, "long", side: 256)[0]; // 2 frames of 256², 256 KB
        await using var outbox = Outbox.Open(TestOutbox.Options(_temp.File("outbox.db"), PacsDestination.StowRs("via-relay", new Uri($"http://127.0.0.1:{relay.Port}/dicom-web/"))));
        outbox.Add(file);

        await Eventually.True(() => outbox.Counts().Committed == 1, () => Why(outbox));
        Assert.Equal(1, relay.Cuts);
        var item = Assert.Single(outbox.Items());
        Assert.True(item.Attempts >= 2, $"{item.Attempts} attempt(s)");
        Assert.Single(await _orthanc.InstanceIdsAsync());
    }

    [Fact]
    public void TheArchivesAnswerIsReadPerInstance()
    {
        // The Store Instances Response Module (PS3.18 10.5.3) in the DICOM JSON model: one stored, one refused for now
        // (A700, out of resources), one refused for good (A900, does not match its SOP class).
        const string json = """
            {"00081190":{"vr":"UR","Value":["http://archive/dicom-web/studies/1.2"]},
             "00081199":{"vr":"SQ","Value":[{"00081150":{"vr":"UI","Value":["1.2.840.10008.5.1.4.1.1.12.1"]},"00081155":{"vr":"UI","Value":["1.2.3.1"]}}]},
             "00081198":{"vr":"SQ","Value":[{"00081155":{"vr":"UI","Value":["1.2.3.2"]},"00081197":{"vr":"US","Value":[42752]}},
                                           {"00081155":{"vr":"UI","Value":["1.2.3.3"]},"00081197":{"vr":"US","Value":[43264]}}]}}
            """;
        var answer = StowRsAnswer.Read(json);
        Assert.Equal(["1.2.3.1"], answer.Stored);
        Assert.Equal(0xA700, answer.Failed["1.2.3.2"]);
        Assert.True(StowRsAnswer.IsTransient(answer.Failed["1.2.3.2"]));
        Assert.False(StowRsAnswer.IsTransient(answer.Failed["1.2.3.3"]));
        Assert.Same(StowRsAnswer.Empty, StowRsAnswer.Read("<html>busy</html>"));
    }

    [Fact]
    public void ADicomWebDestinationNeedsAnAbsoluteHttpUrl()
    {
        var problems = TestOutbox.Options(_temp.File("o.db"), PacsDestination.StowRs("web", new Uri("dicom-web/", UriKind.Relative))).Problems();
        Assert.Contains(problems, p => p.Contains("absolute http or https URL"));
    }
}
