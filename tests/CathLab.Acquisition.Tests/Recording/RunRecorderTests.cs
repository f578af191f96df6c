using CathLab.Acquisition.Protocols;
using CathLab.Acquisition.Recording;
using CathLab.Dicom.Dictionary;
using CathLab.Dicom.Files;
using CathLab.Testing;

namespace CathLab.Acquisition.Tests.Recording;

public sealed class RunRecorderTests : IDisposable
{
    private readonly TempDirectory _spool = new();

    public void Dispose() => _spool.Dispose();

    [Fact]
    public async Task A_run_is_stored_with_a_frame_per_pulse_and_the_reported_technique()
    {
        await using var h = new RecorderHarness(_spool.Path);
        var request = RecordingSamples.Request(RecordingSamples.Cine);
        h.Recorder.Begin(request);
        // Frames before their reports, as the frame link often delivers them.
        for (uint id = 41; id <= 46; id++) h.Frame(id);
        for (uint id = 41; id <= 46; id++) h.Report(id);
        var outcome = await h.Recorder.EndAsync(RecorderHarness.Result(request.Protocol, 6));

        Assert.True(outcome.Stored, outcome.Failure);
        var image = outcome.Run!.Image;
        Assert.Equal(6, image.Frames);
        Assert.Equal(request.SopInstanceUid, image.SopInstanceUid);
        var kv = Enumerable.Range(41, 6).Select(id => RecorderHarness.TechniqueOf((uint)id).Kv).ToArray();
        Assert.Equal(kv.Average(), image.MeanKvp, 9);
        Assert.Equal(kv.Min(), image.MinKvp);
        Assert.Equal(kv.Max(), image.MaxKvp);
        Assert.Equal(6, outcome.Run.Dose.Pulses);
        Assert.Equal(6e-3, outcome.Run.Dose.ReferenceAirKermaMilliGray, 12);
        Assert.Equal(6e-6 * request.Geometry.FieldAreaAtReferenceCm2, outcome.Run.Dose.DoseAreaProductGyCm2, 12);
        Assert.Equal([image.Path], _spool.Files);
        Assert.Equal(h.Pool.Capacity, h.Pool.Available);

        using var reader = DicomFileReader.Open(image.Path);
        Assert.Equal(6, reader.FrameCount);
        Assert.Equal(1000.0 / 15, reader.DataSet.GetDouble(DicomTags.FrameTime), 2);
        var frame = new byte[reader.FrameFormat.FrameLength];
        reader.ReadFrame(2, frame);
        Assert.Equal(43 + 7, BitConverter.ToUInt16(frame, 14));
    }

    [Fact]
    public async Task A_frame_whose_pulse_report_never_comes_fails_the_run_and_leaves_no_file()
    {
        await using var h = new RecorderHarness(_spool.Path, pulseReportWait: TimeSpan.Zero);
        var request = RecordingSamples.Request(RecordingSamples.Cine);
        h.Recorder.Begin(request);
        h.Pulse(1);
        h.Pulse(2);
        h.Frame(3);
        h.Pulse(4);
        h.Pulse(5);
        var outcome = await h.Recorder.EndAsync(RecorderHarness.Result(request.Protocol, 5));

        Assert.False(outcome.Stored);
        Assert.Contains("frame 3", outcome.Failure);
        Assert.Empty(_spool.Files);
        Assert.Equal(h.Pool.Capacity, h.Pool.Available);
    }

    [Fact]
    public async Task A_frame_that_cannot_be_written_fails_the_run_and_the_rest_is_released()
    {
        await using var h = new RecorderHarness(_spool.Path);
        var request = RecordingSamples.Request(RecordingSamples.Cine);
        h.Recorder.Begin(request);
        h.Pulse(1);
        h.Pulse(2);
        h.Report(3);
        h.Frame(3, size: 256);
        for (uint id = 4; id <= 30; id++) h.Pulse(id);
        var outcome = await h.Recorder.EndAsync(RecorderHarness.Result(request.Protocol, 30));

        Assert.False(outcome.Stored);
        Assert.Contains("frame 3 (pulse 3) could not be written", outcome.Failure);
        Assert.Empty(_spool.Files);
        Assert.Equal(h.Pool.Capacity, h.Pool.Available);
    }

    [RootFact]
    public async Task A_disk_that_fills_mid_run_fails_the_run_loudly_and_acquisition_goes_on()
    {
        using var mount = new TempDirectory();
        var (code, _, err) = ExternalTool.Run("/usr/bin/mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", mount.Path);
        Assert.True(code == 0, err);
        try
        {
            await using var h = new RecorderHarness(mount.Path);
            var request = RecordingSamples.Request(RecordingSamples.Cine);
            h.Recorder.Begin(request);
            for (uint id = 1; id <= 20; id++) h.Pulse(id); // 20 x 512 KiB does not fit in 2 MiB
            var outcome = await h.Recorder.EndAsync(RecorderHarness.Result(request.Protocol, 20));

            Assert.False(outcome.Stored);
            Assert.Contains("could not be written", outcome.Failure);
            Assert.Empty(Directory.GetFiles(mount.Path));
            Assert.Equal(h.Pool.Capacity, h.Pool.Available);

            // The next run, with room again, is recorded.
            var next = RecordingSamples.Request(RecordingSamples.Cine, instance: 2);
            h.Recorder.Begin(next);
            for (uint id = 21; id <= 22; id++) h.Pulse(id);
            var stored = await h.Recorder.EndAsync(RecorderHarness.Result(next.Protocol, 2));
            Assert.True(stored.Stored, stored.Failure);
        }
        finally
        {
            ExternalTool.Run("/usr/bin/umount", mount.Path);
        }
    }

    [Fact]
    public async Task A_pulse_reported_without_a_frame_fails_the_run()
    {
        await using var h = new RecorderHarness(_spool.Path);
        var request = RecordingSamples.Request(RecordingSamples.Cine);
        h.Recorder.Begin(request);
        h.Pulse(1);
        h.Report(2);
        h.Pulse(3);
        var outcome = await h.Recorder.EndAsync(RecorderHarness.Result(request.Protocol, 2));

        Assert.False(outcome.Stored);
        Assert.Contains("2 frames written, 3 pulses reported", outcome.Failure);
        Assert.Empty(_spool.Files);
    }

    [Fact]
    public async Task A_run_the_sequencer_failed_is_not_stored()
    {
        await using var h = new RecorderHarness(_spool.Path);
        var request = RecordingSamples.Request(RecordingSamples.Cine);
        h.Recorder.Begin(request);
        for (uint id = 1; id <= 3; id++) h.Pulse(id);
        var outcome = await h.Recorder.EndAsync(RecorderHarness.Result(request.Protocol, 3, failure: "1 frame(s) lost on the frame link"));

        Assert.False(outcome.Stored);
        Assert.Contains("the run failed: 1 frame(s) lost on the frame link", outcome.Failure);
        Assert.Empty(_spool.Files);
    }

    [Fact]
    public async Task A_frame_the_queue_dropped_fails_the_run_and_the_next_run_is_judged_on_its_own()
    {
        await using var h = new RecorderHarness(_spool.Path, queueCapacity: 2);
        var request = RecordingSamples.Request(RecordingSamples.Cine);
        h.Recorder.Begin(request);
        // The first frame's report is late, so the recorder waits on it while the small queue overflows.
        for (uint id = 1; id <= 6; id++) h.Frame(id);
        for (uint id = 1; id <= 6; id++) h.Report(id);
        var outcome = await h.Recorder.EndAsync(RecorderHarness.Result(request.Protocol, 6));
        Assert.False(outcome.Stored);
        Assert.Contains("dropped", outcome.Failure);
        Assert.True(h.Queue.HasLostFrames);
        Assert.Empty(_spool.Files);

        var next = RecordingSamples.Request(RecordingSamples.Cine, instance: 2);
        h.Recorder.Begin(next);
        h.Pulse(7);
        var stored = await h.Recorder.EndAsync(RecorderHarness.Result(next.Protocol, 1));
        Assert.True(stored.Stored, stored.Failure);
    }

    [Fact]
    public async Task Frames_outside_a_recording_are_released()
    {
        await using var h = new RecorderHarness(_spool.Path);
        for (uint id = 1; id <= 5; id++) h.Pulse(id);
        Assert.True(await h.PoolFullAsync());
        Assert.Equal(5, h.Recorder.StrayFrames);
        Assert.Empty(_spool.Files);
    }

    [Fact]
    public async Task Begin_refuses_what_cannot_be_recorded_before_any_exposure()
    {
        await using var h = new RecorderHarness(_spool.Path);
        var fluoro = ProtocolCatalog.Find(ProtocolCatalog.Defaults, "cardiac-fluoro-15");
        Assert.Contains("not recorded", Assert.Throws<ArgumentException>(() => h.Recorder.Begin(RecordingSamples.Request(fluoro))).Message);
        Assert.Throws<ArgumentException>(() => h.Recorder.Begin(RecordingSamples.Request(RecordingSamples.Cine) with { PrimaryAngleDeg = 200 }));
        await Assert.ThrowsAsync<InvalidOperationException>(() => h.Recorder.EndAsync(RecorderHarness.Result(RecordingSamples.Cine, 1)));

        h.Recorder.Begin(RecordingSamples.Request(RecordingSamples.Cine));
        Assert.Throws<InvalidOperationException>(() => h.Recorder.Begin(RecordingSamples.Request(RecordingSamples.Cine, instance: 2)));
        h.Recorder.Abandon("test over");
        Assert.False(h.Recorder.Recording);

        var blocker = Path.Combine(_spool.Path, "not-a-folder");
        File.WriteAllText(blocker, "");
        await using var nowhere = new RecorderHarness(Path.Combine(blocker, "spool"));
        Assert.ThrowsAny<IOException>(() => nowhere.Recorder.Begin(RecordingSamples.Request(RecordingSamples.Cine)));
        Assert.Equal([blocker], _spool.Files);
    }

    [Fact]
    public async Task An_abandoned_recording_deletes_its_partial_file()
    {
        await using var h = new RecorderHarness(_spool.Path);
        var request = RecordingSamples.Request(RecordingSamples.Cine);
        h.Recorder.Begin(request);
        h.Pulse(1);
        h.Pulse(2);
        for (int i = 0; i < 1000 && _spool.Files.Length == 0; i++) await Task.Delay(5);
        Assert.EndsWith(".dcm.partial", Assert.Single(_spool.Files));
        h.Recorder.Abandon("the sequencer refused the protocol");
        Assert.Empty(_spool.Files);
    }

    [Fact]
    public async Task A_DSA_run_carries_its_mask_and_can_be_remasked_only_inside_the_run()
    {
        await using var h = new RecorderHarness(_spool.Path);
        var request = RecordingSamples.Request(RecordingSamples.Dsa(maskFrames: 2));
        h.Recorder.Begin(request);
        for (uint id = 1; id <= 6; id++) h.Pulse(id);
        var outcome = await h.Recorder.EndAsync(RecorderHarness.Result(request.Protocol, 6));
        Assert.True(outcome.Stored, outcome.Failure);
        var path = outcome.Run!.Image.Path;

        Assert.Throws<ArgumentOutOfRangeException>(() => RunRemasker.Remask(path, [0, 1], _spool.Path));
        Assert.Throws<ArgumentOutOfRangeException>(() => RunRemasker.Remask(path, [6, 7], _spool.Path));
        Assert.Contains("no frame of the 6 follows", Assert.Throws<ArgumentException>(() => RunRemasker.Remask(path, [5, 6], _spool.Path)).Message);
        Assert.Throws<ArgumentException>(() => RunRemasker.Remask(path, [], _spool.Path));
        Assert.Throws<ArgumentException>(() => RunRemasker.Remask(path, [2, 2], _spool.Path));
        Assert.Equal([path], _spool.Files);

        var remasked = RunRemasker.Remask(path, [3, 4], _spool.Path, instanceNumber: 2);
        using var reader = DicomFileReader.Open(remasked.Path);
        var mask = reader.DataSet.GetSequence(DicomTags.MaskSubtractionSequence).Items[0];
        Assert.Equal([3, 4], mask.GetUInt16Array(DicomTags.MaskFrameNumbers).Select(n => (int)n));
        Assert.Equal([5, 6], mask.GetUInt16Array(DicomTags.ApplicableFrameRange).Select(n => (int)n));
        Assert.NotEqual(request.SopInstanceUid, reader.DataSet.GetString(DicomTags.SOPInstanceUID));
        Assert.Equal(remasked.SopInstanceUid, reader.Meta.MediaStorageSopInstanceUid);
    }

    [Fact]
    public async Task A_DSA_run_shorter_than_its_mask_is_not_stored()
    {
        await using var h = new RecorderHarness(_spool.Path);
        var request = RecordingSamples.Request(RecordingSamples.Dsa(maskFrames: 4));
        h.Recorder.Begin(request);
        for (uint id = 1; id <= 3; id++) h.Pulse(id);
        var outcome = await h.Recorder.EndAsync(RecorderHarness.Result(request.Protocol, 3));

        Assert.False(outcome.Stored);
        Assert.Contains("mask frames 1,2,3,4 pass the run's 3 frames", outcome.Failure);
        Assert.Empty(_spool.Files);
    }

    [Fact]
    public async Task Only_a_DSA_run_can_be_remasked()
    {
        await using var h = new RecorderHarness(_spool.Path);
        var request = RecordingSamples.Request(RecordingSamples.Cine);
        h.Recorder.Begin(request);
        for (uint id = 1; id <= 3; id++) h.Pulse(id);
        var outcome = await h.Recorder.EndAsync(RecorderHarness.Result(request.Protocol, 3));
        Assert.True(outcome.Stored, outcome.Failure);
        Assert.Contains("not a DSA run", Assert.Throws<ArgumentException>(() => RunRemasker.Remask(outcome.Run!.Image.Path, [1], _spool.Path)).Message);
    }
}
