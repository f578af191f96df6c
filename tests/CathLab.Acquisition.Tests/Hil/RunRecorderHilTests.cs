using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Text.Json;
using CathLab.Acquisition.Distribution;
using CathLab.Acquisition.Recording;
using CathLab.Acquisition.Tests.Recording;
using CathLab.Sims.Detector;
using CathLab.Testing;
using CathLab.Wire.Generator;

namespace CathLab.Acquisition.Tests.Hil;

/// <summary>The real recorder behind the sequencer, with the simulators on a pty and the frame link: what lands in the
/// spool folder is read back with pydicom and checked with dciodvfy.</summary>
public sealed class RunRecorderHilTests : IDisposable
{
    // Frame times are written as DS with three decimals. Rounding both sides to two decimals failed on a rounding
    // boundary (66.6548 against 66.655); a tolerance never accepts more than that rounding could.
    private const double FrameTimeTolerance = 0.005;

    private readonly TempDirectory _spool = new();

    public void Dispose() => _spool.Dispose();

    /// <summary>Every pulse the generator reports, and a checksum of every frame's pixels by pulse id (a second
    /// must-not-lose consumer beside the recorder).</summary>
    private sealed class Witness
    {
        public ConcurrentQueue<PulseEvent> Pulses { get; } = new();
        public ConcurrentDictionary<uint, long> Sums { get; } = new();
        public Task Loop { get; }

        public Witness(StationRig rig, CancellationToken stop)
        {
            rig.Bridge.Link.EventReceived += e =>
            {
                if (e is PulseEvent p) Pulses.Enqueue(p);
            };
            var queue = rig.Fanout.Subscribe("witness", 48, ConsumerPolicy.MustNotLose);
            Loop = Task.Run(async () =>
            {
                try
                {
                    await foreach (var frame in queue.Reader.ReadAllAsync(stop))
                    {
                        long sum = 0;
                        foreach (var v in frame.Pixels) sum += v;
                        Sums[frame.Info.PulseId] = sum % (1L << 32);
                        frame.Release();
                    }
                }
                catch (OperationCanceledException) { }
            });
        }
    }

    private static double[] Doubles(JsonElement e) => [.. e.EnumerateArray().Select(v => double.Parse(v.GetString()!, System.Globalization.CultureInfo.InvariantCulture))];

    private static double Number(JsonElement e, string name) => double.Parse(e.GetProperty(name).GetString()!, System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task A_cine_run_becomes_one_valid_XA_object_with_a_frame_per_generator_pulse()
    {
        using var stop = new CancellationTokenSource();
        await using var rig = await StationRig.StartAsync(spoolFolder: _spool.Path);
        var witness = new Witness(rig, stop.Token);
        var request = RecordingSamples.Request(RecordingSamples.Cine);
        var (run, recording) = await rig.RecordAsync(request, TimeSpan.FromSeconds(1));

        Assert.True(run.Complete, run.Failure);
        Assert.True(recording.Stored, recording.Failure);
        var image = recording.Run!.Image;
        var pulses = witness.Pulses.OrderBy(p => p.PulseId).ToArray();
        Assert.InRange(pulses.Length, 5, 40);
        Assert.Equal(pulses.Length, run.Pulses);
        Assert.Equal(pulses.Length, image.Frames);
        Assert.Equal(new[] { image.Path }, _spool.Files);

        // Technique and dose are the generator's own reports, not the frames' headers.
        Assert.Equal(pulses.Average(p => p.Technique.Kv), image.MeanKvp, 9);
        Assert.Equal(pulses.Min(p => p.Technique.Kv), image.MinKvp);
        Assert.Equal(pulses.Max(p => p.Technique.Kv), image.MaxKvp);
        Assert.Equal(pulses.Sum(p => p.Technique.Ma * p.Technique.PulseWidthMs), image.ExposureMicroAs, 6);
        Assert.Equal(pulses.Sum(p => p.AirKermaMilliGray), recording.Run.Dose.ReferenceAirKermaMilliGray, 9);
        Assert.Equal(run.AirKermaMilliGray, recording.Run.Dose.ReferenceAirKermaMilliGray, 6);

        var read = PydicomReadBack.Read(image.Path);
        Assert.Equal(pulses.Length, int.Parse(read.GetProperty("NumberOfFrames").GetString()!));
        Assert.Equal(Math.Round(pulses.Average(p => p.Technique.Kv), 1), Number(read, "KVP"), 6);
        Assert.Equal(Math.Round(pulses.Sum(p => p.Technique.Ma * p.Technique.PulseWidthMs)), Number(read, "ExposureInuAs"), 6);
        Assert.Equal(request.SopInstanceUid, read.GetProperty("SOPInstanceUID").GetString());
        Assert.Equal("4", read.GetProperty("SeriesNumber").GetString());
        Assert.Equal("1100", read.GetProperty("DistanceSourceToDetector").GetString());
        // Frame timing from the generator's pulse timestamps.
        var intervals = pulses.Zip(pulses.Skip(1), (a, b) => (b.TimestampMicroseconds - a.TimestampMicroseconds) / 1000.0).ToArray();
        if (read.GetProperty("FrameTimeVector").ValueKind == JsonValueKind.Array)
        {
            var vector = Doubles(read.GetProperty("FrameTimeVector"));
            for (int i = 1; i < vector.Length; i++) Assert.Equal(intervals[i - 1], vector[i], FrameTimeTolerance);
        }
        else
        {
            Assert.Equal(intervals.Average(), Number(read, "FrameTime"), FrameTimeTolerance);
        }
        // Every frame's pixels, in pulse order, as the detector sent them.
        for (int i = 0; i < 200 && witness.Sums.Count < pulses.Length; i++) await Task.Delay(10);
        var expected = pulses.Select(p => witness.Sums[p.PulseId]).ToArray();
        Assert.Equal(expected, read.GetProperty("sums").EnumerateArray().Select(s => s.GetInt64()).ToArray());

        Assert.Empty(ExternalTool.Dciodvfy(image.Path).Errors);
        stop.Cancel();
        await witness.Loop;
        Assert.Equal(rig.Pool.Capacity, rig.Pool.Available);
    }

    [Fact]
    public async Task A_DSA_run_carries_the_mask_module_and_a_remask_reissues_it_frame_by_frame()
    {
        await using var rig = await StationRig.StartAsync(spoolFolder: _spool.Path);
        var request = RecordingSamples.Request(RecordingSamples.Dsa(maskFrames: 2));
        var (run, recording) = await rig.RecordAsync(request, TimeSpan.FromSeconds(1.2));
        Assert.True(recording.Stored, recording.Failure);
        var image = recording.Run!.Image;
        Assert.InRange(image.Frames, 4, 12);
        Assert.Equal(run.Pulses, image.Frames);

        var original = PydicomReadBack.Read(image.Path);
        Assert.Equal("AVG_SUB", original.GetProperty("MaskOperation").GetString());
        Assert.Equal(new[] { 1, 2 }, original.GetProperty("MaskFrameNumbers").EnumerateArray().Select(n => n.GetInt32()));
        Assert.Equal(new[] { 3, image.Frames }, original.GetProperty("ApplicableFrameRange").EnumerateArray().Select(n => n.GetInt32()));
        Assert.Equal("SUB", original.GetProperty("RecommendedViewingMode").GetString());
        Assert.Empty(ExternalTool.Dciodvfy(image.Path).Errors);

        var remasked = RunRemasker.Remask(image.Path, [3, 4], _spool.Path, instanceNumber: 2);
        var again = PydicomReadBack.Read(remasked.Path);
        Assert.Equal(new[] { 3, 4 }, again.GetProperty("MaskFrameNumbers").EnumerateArray().Select(n => n.GetInt32()));
        Assert.Equal(new[] { 5, image.Frames }, again.GetProperty("ApplicableFrameRange").EnumerateArray().Select(n => n.GetInt32()));
        Assert.Equal(remasked.SopInstanceUid, again.GetProperty("SOPInstanceUID").GetString());
        Assert.NotEqual(image.SopInstanceUid, remasked.SopInstanceUid);
        Assert.Equal(original.GetProperty("SeriesInstanceUID").GetString(), again.GetProperty("SeriesInstanceUID").GetString());
        Assert.Equal("2", again.GetProperty("InstanceNumber").GetString());
        Assert.Equal(original.GetProperty("sums").ToString(), again.GetProperty("sums").ToString());
        Assert.Empty(ExternalTool.Dciodvfy(remasked.Path).Errors);
        // The stored run is untouched, and nothing partial is left.
        Assert.Equal(new[] { 1, 2 }, PydicomReadBack.Read(image.Path).GetProperty("MaskFrameNumbers").EnumerateArray().Select(n => n.GetInt32()));
        Assert.Equal(new[] { image.Path, remasked.Path }.Order(), _spool.Files.Order());
    }

    [Fact]
    public async Task A_frame_lost_on_the_frame_link_fails_the_recording_and_leaves_no_file()
    {
        await using var rig = await StationRig.StartAsync(new DetectorFaultOptions(DropEveryNth: 4), spoolFolder: _spool.Path);
        var (run, recording) = await rig.RecordAsync(RecordingSamples.Request(RecordingSamples.Cine), TimeSpan.FromSeconds(1));

        Assert.False(run.Complete);
        Assert.False(recording.Stored);
        Assert.Contains("lost", recording.Failure);
        Assert.Empty(_spool.Files);
        Assert.Equal(rig.Pool.Capacity, rig.Pool.Available);
    }

    [Fact]
    public async Task A_stalled_frame_link_fails_the_recording_and_leaves_no_file()
    {
        await using var rig = await StationRig.StartAsync(new DetectorFaultOptions(LateEveryNth: 5, LateByMilliseconds: 3000), spoolFolder: _spool.Path);
        var (run, recording) = await rig.RecordAsync(RecordingSamples.Request(RecordingSamples.Cine), TimeSpan.FromSeconds(1));

        Assert.False(run.Complete);
        Assert.False(recording.Stored);
        Assert.Contains("the run failed", recording.Failure);
        Assert.Empty(_spool.Files);
    }
}
