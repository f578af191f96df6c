using System.Text.Json;
using CathLab.Publishing.Journal;
using CathLab.Security.Access;
using CathLab.Station.Control;
using CathLab.Station.Tests.Web;
using CathLab.Station.Tests.Workflow;
using CathLab.Testing;
using Xunit.Abstractions;

namespace CathLab.Station.Tests.Hil;

/// <summary>A discussion's capture (docs/discussion.md) against the whole station on simulated hardware and a real
/// Orthanc as the PACS: the frame with its marks becomes a Grayscale Softcopy Presentation State that the outbox
/// delivers, dciodvfy finds valid and pydicom reads with its calibrated distance.</summary>
[Collection(HilCollection.Name)]
public sealed class DiscussionCaptureHilTests(ITestOutputHelper output)
{
    private const string TechToken = "technician-token-for-the-capture-test";
    private const string RemoteToken = "observer-token-for-the-capture-test";

    // The distance's label and the referenced frame, as pydicom reads the state Orthanc stored.
    private const string ReadState = """
        import sys, json
        import pydicom
        ds = pydicom.dcmread(sys.argv[1])
        ann = ds.GraphicAnnotationSequence[0]
        ref = ds.ReferencedSeriesSequence[0].ReferencedImageSequence[0]
        print(json.dumps({'sop': ds.SOPClassUID, 'image': ref.ReferencedSOPInstanceUID, 'frame': int(ref.ReferencedFrameNumber),
            'texts': [t.UnformattedTextValue for t in ann.TextObjectSequence], 'graphics': [g.GraphicType for g in ann.GraphicObjectSequence],
            'window': [float(ds.SoftcopyVOILUTSequence[0].WindowCenter), float(ds.SoftcopyVOILUTSequence[0].WindowWidth)],
            'creator': str(ds.ContentCreatorName)}))
        """;

    [Fact]
    public async Task A_frame_captured_in_a_discussion_reaches_the_PACS_as_a_valid_presentation_state()
    {
        using var orthanc = new OrthancPeer("CATHLAB", FreePort.Next()).Start();
        using var sim = await SimulatorProcess.StartAsync("--mode", "512");
        await using var station = await StationUnderTest.StartAsync(sim,
            "--Station:Tokens:0:Holder=tech-on-duty", "--Station:Tokens:0:Role=technician", $"--Station:Tokens:0:Sha256={TokenStore.Sha256Hex(TechToken)}",
            "--Station:Tokens:1:Holder=dr-remote", "--Station:Tokens:1:Role=observer", $"--Station:Tokens:1:Sha256={TokenStore.Sha256Hex(RemoteToken)}",
            $"--Station:Pacs:0:AeTitle={OrthancPeer.AeTitle}", "--Station:Pacs:0:Host=127.0.0.1", $"--Station:Pacs:0:Port={orthanc.DicomPort}",
            "--Station:Pacs:0:StorageCommitment=false", "--Station:Detector:ImagerPixelSpacingMm=0.3");
        var exam = await station.Control.StartExamAsync(new ExamRequest("DOE^JANE", "HIL-CAPTURE"), CancellationToken.None);
        var cine = await station.ExposeAsync("cardiac-cine-15", TimeSpan.FromSeconds(1));
        Assert.True(cine.Frames >= 3, $"the cine has {cine.Frames} frames");
        string runId = $"{exam.ExamId}/run-{cine.Number}";

        using var tech = await DiscussionSocketClient.JoinAsync(station.WebPort, TechToken, exam.ExamId, "Tech at the table");
        using var remote = await DiscussionSocketClient.JoinAsync(station.WebPort, RemoteToken, exam.ExamId, "Dr Remote");
        await tech.SendAsync(new { type = "view", window = 3000, level = 2000, zoom = 1 });
        await remote.NextAsync("view");
        await remote.SendAsync(new { type = "annotate", kind = "distance", runId, frame = 2, points = new[] { new[] { 100.0, 200 }, [300, 200] } });
        await remote.SendAsync(new { type = "annotate", kind = "arrow", runId, frame = 2, points = new[] { new[] { 50.0, 50 }, [120, 90] }, text = "LAD" });
        for (int i = 0; i < 2; i++) await tech.NextAsync("annotation");

        // Refused: a frame the run does not have. The remote one has no floor, and needs none to capture.
        await remote.SendAsync(new { type = "capture", runId, frame = cine.Frames + 1 });
        Assert.Contains($"no frame {cine.Frames + 1}", (await remote.NextAsync("refused"))!.Value.GetProperty("reason").GetString());
        await remote.SendAsync(new { type = "capture", runId, frame = 2 });
        var captured = (await tech.NextAsync("captured"))!.Value;
        Assert.Equal(remote.Id, captured.GetProperty("by").GetString());
        string sop = captured.GetProperty("sopInstanceUid").GetString()!;
        output.WriteLine($"captured: {captured}");

        await Poll.UntilAsync(() => station.Control.Outbox.Any(i => i.SopInstanceUid == sop && i.State is DeliveryState.Sent or DeliveryState.Committed),
            () => $"the presentation state {sop} was not delivered: {string.Join("; ", station.Control.Outbox.Select(i => $"{i.SopInstanceUid} {i.State} {i.LastError}"))}");
        var stored = (await PublishedObjects.InOrthancAsync(orthanc)).Single(o => o.SopInstanceUid == sop);
        Assert.Equal("PR", stored.Modality);
        var xa = (await PublishedObjects.InOrthancAsync(orthanc)).FirstOrDefault(o => o.Modality == "XA");
        if (xa is not null) Assert.Equal(xa.StudyInstanceUid, stored.StudyInstanceUid);

        string path = Path.Combine(station.Folder, "captured.dcm");
        await orthanc.DownloadAsync(stored.OrthancId, path);
        var (errors, warnings) = ExternalTool.Dciodvfy(path);
        foreach (var w in warnings) output.WriteLine(w);
        Assert.True(errors.Length == 0, string.Join('\n', errors));

        var r = ExternalTool.PythonScript(ReadState, path);
        Assert.True(r.ExitCode == 0, r.All);
        var state = JsonDocument.Parse(r.StdOut).RootElement;
        output.WriteLine(r.StdOut);
        Assert.Equal("1.2.840.10008.5.1.4.1.1.11.1", state.GetProperty("sop").GetString());
        Assert.Equal(2, state.GetProperty("frame").GetInt32());
        Assert.Equal([2000.0, 3000.0], state.GetProperty("window").EnumerateArray().Select(v => v.GetDouble()));
        Assert.Equal("Dr Remote", state.GetProperty("creator").GetString());
        Assert.Equal(["POLYLINE", "POLYLINE", "POLYLINE"], state.GetProperty("graphics").EnumerateArray().Select(g => g.GetString()));
        var texts = state.GetProperty("texts").EnumerateArray().Select(t => t.GetString()!).ToList();
        // 200 px at 0.3 mm: 60 mm at the detector, less at the isocentre; the label says the correction is approximate.
        Assert.Contains(texts, t => t.EndsWith("mm (calibrated, approximate)", StringComparison.Ordinal) && double.Parse(t.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) is > 30 and < 60);
        Assert.Contains("LAD", texts);

        string audit = await File.ReadAllTextAsync(Path.Combine(station.Folder, "audit.jsonl"));
        Assert.Contains("\"discussion-capture\"", audit);
    }
}
