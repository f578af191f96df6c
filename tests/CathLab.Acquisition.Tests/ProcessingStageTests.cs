using System.Diagnostics;
using CathLab.Acquisition.Distribution;
using CathLab.Acquisition.Fluoro;
using CathLab.Acquisition.Frames;
using CathLab.Acquisition.Imaging;
using CathLab.Acquisition.Protocols;
using CathLab.Processing.Calibration;
using CathLab.Processing.Pipeline;
using Xunit.Abstractions;
using FrameGeometry = CathLab.Processing.Frames.FrameGeometry;

namespace CathLab.Acquisition.Tests;

public sealed class ProcessingStageTests(ITestOutputHelper output) : IDisposable
{
    private readonly ITestOutputHelper _output = output;
    private const int Side = 128;
    private static readonly FrameGeometry Geometry = new(Side, Side, 12);
    private readonly FramePool _pool = new(24, Side * Side);
    private readonly FrameFanout _fanout = new();
    private readonly RecordingSink _sink = new();
    private readonly List<ProcessingStage> _stages = [];
    private long _sequence;

    private ProcessingStage Start(int queueCapacity = 32, FluoroLoopStore? loop = null, IProcessedFrameSink? sink = null)
    {
        var stage = new ProcessingStage(_fanout, CalibrationData.Identity(Geometry), new RunProcessingProfiles(), sink ?? _sink,
            new ProcessingStageOptions { QueueCapacity = queueCapacity, Pipeline = new PipelineOptions { Backend = BackendChoice.Cpu, CpuThreads = 1 } }, loop);
        _stages.Add(stage);
        stage.Start();
        return stage;
    }

    /// <summary>Publishes one uniform frame as the sequencer would, waiting for a free buffer (the test is the detector).</summary>
    private void Publish(ushort level, int side = Side)
    {
        Frame frame;
        var spin = new SpinWait();
        while (!_pool.TryRent(out frame)) spin.SpinOnce();
        long sequence = _sequence++;
        frame.Info = new FrameInfo(sequence, (uint)sequence, sequence * 66_667, side, side, 12, default, null, 0, false) { ReceivedTimestamp = Stopwatch.GetTimestamp() };
        frame.Pixels.Fill(level);
        _fanout.Publish(frame);
    }

    [Fact]
    public void Every_frame_is_processed_in_order_when_processing_keeps_up()
    {
        var stage = Start();
        for (int i = 0; i < 40; i++) Publish((ushort)(1000 + i));
        Wait.Until(() => stage.Processed == 40);
        Assert.Equal(0, stage.Dropped);
        Assert.Equal(Enumerable.Range(0, 40).Select(i => (long)i), _sink.Frames.Select(f => f.Info.Sequence));
        Assert.All(_sink.Frames, f => Assert.Equal(Side * Side, f.DisplayBytes));
        Assert.Equal(_pool.Capacity - 1, _pool.Available); // the last image is held
        stage.Dispose();
        Assert.Equal(_pool.Capacity, _pool.Available);
    }

    [Fact]
    public void A_full_queue_drops_and_counts_frames_and_the_stage_goes_on()
    {
        var stage = Start(queueCapacity: 2);
        _sink.Block();
        Publish(1000);
        Wait.Until(() => _sink.Entered > 0); // the stage is inside the sink with frame 0
        for (int i = 0; i < 5; i++) Publish(1000);
        Assert.Equal(3, stage.Dropped);
        _sink.Unblock();
        Wait.Until(() => stage.Processed == 3);
        Assert.Equal([0L, 1, 2], _sink.Frames.Select(f => f.Info.Sequence));
        for (int i = 0; i < 3; i++)
        {
            Publish(1000);
            Wait.Until(() => stage.Processed == 4 + i);
        }
        Assert.Equal(3, stage.Dropped);
    }

    [Fact]
    public void Runs_switch_mode_at_their_first_frame_and_queued_frames_finish_as_they_began()
    {
        var loop = new FluoroLoopStore(new FluoroLoopOptions { Duration = TimeSpan.FromSeconds(2), MaxFrameRate = 10, MaxPixels = Side * Side });
        var stage = Start(loop: loop);
        stage.BeginRun(RunKind.Fluoro);
        for (int i = 0; i < 3; i++) Publish(1000);
        Wait.Until(() => stage.Processed == 3);
        Assert.Equal(3, loop.Count);

        _sink.Block();
        Publish(1000); // fluoro frame 3: the stage holds it in the sink
        Wait.Until(() => _sink.Entered == 4);
        Publish(1000); // fluoro frame 4, queued before the DSA run begins
        stage.BeginRun(RunKind.Dsa, maskFrames: 2);
        for (int i = 0; i < 4; i++) Publish(1000); // DSA frames 5-8: 5 and 6 are the mask, 7 and 8 subtract to zero
        _sink.Unblock();
        Wait.Until(() => stage.Processed == 9);
        stage.BeginRun(RunKind.Cine);
        for (int i = 0; i < 2; i++) Publish(1000);
        Wait.Until(() => stage.Processed == 11);

        RunKind[] expected = [RunKind.Fluoro, RunKind.Fluoro, RunKind.Fluoro, RunKind.Fluoro, RunKind.Fluoro, RunKind.Dsa, RunKind.Dsa, RunKind.Dsa, RunKind.Dsa, RunKind.Cine, RunKind.Cine];
        Assert.Equal(expected, _sink.Frames.Select(f => f.Run));
        Assert.Equal(3, stage.RunsStarted);
        Assert.Equal(2, stage.FramesThisRun);
        // Identical frames: once the mask is complete a DSA frame subtracts to the mid-range offset (2048 of 4095),
        // a cine frame shows the raw level (1000), under the same window.
        byte dsa = _sink.Frames[8].CentrePixel, cine = _sink.Frames[10].CentrePixel;
        Assert.InRange(dsa, Level(2048) - 1, Level(2048) + 1);
        Assert.InRange(cine, Level(1000) - 1, Level(1000) + 1);
        // The loop kept the five fluoro frames only.
        Assert.Equal(5, loop.Count);
        Assert.Equal(5, loop.Stored);

        stage.BeginRun(RunKind.Fluoro);
        Publish(1000);
        Wait.Until(() => stage.Processed == 12);
        Assert.Equal(1, loop.Count); // a new fluoro run starts a new loop
        Assert.Throws<ArgumentOutOfRangeException>(() => stage.BeginRun(RunKind.Dsa, maskFrames: 0));
    }

    /// <summary>The display value of <paramref name="value"/> under the default window (centre 8192, width 16384).</summary>
    private static byte Level(double value) => (byte)Math.Round(value * 255 / 16384);

    [Fact]
    public void The_last_image_is_held_and_can_be_sent_again()
    {
        var stage = Start();
        Assert.False(stage.ResendLastImage());
        Publish(1000);
        Publish(3000);
        Wait.Until(() => stage.Processed == 2);
        var other = new RecordingSink();
        Assert.True(stage.ResendLastImage(other));
        var held = Assert.Single(other.Frames);
        Assert.True(held.Held);
        Assert.Equal(1, held.Info.Sequence);
        Assert.Equal(_sink.Frames[1].CentrePixel, held.CentrePixel);
        Assert.Equal(3000, held.RawCentre);
        Assert.True(stage.ResendLastImage());
        Assert.True(_sink.Frames[^1].Held);
    }

    [Fact]
    public void A_frame_of_the_wrong_size_is_rejected_counted_and_released()
    {
        var stage = Start();
        Publish(1000, side: 64);
        Publish(1000);
        Wait.Until(() => stage.Processed == 1);
        Assert.Equal(1, stage.Rejected);
        Assert.Equal(1, Assert.Single(_sink.Frames).Info.Sequence);
        stage.Dispose();
        Assert.Equal(_pool.Capacity, _pool.Available);
        Assert.Throws<ArgumentException>(() => stage.SetCalibration(CalibrationData.Identity(new FrameGeometry(64, 64, 12))));
    }

    [Fact]
    public void Latency_from_arrival_to_processed_is_recorded_for_every_frame()
    {
        var stage = Start();
        for (int i = 0; i < 20; i++) Publish(1000);
        Wait.Until(() => stage.Processed == 20);
        Assert.Equal(20, stage.Latency.Count);
        Assert.True(stage.Latency.P50Milliseconds > 0);
        Assert.True(stage.Latency.P99Milliseconds >= stage.Latency.P50Milliseconds);
        Assert.True(stage.Latency.MaxMicroseconds >= stage.Latency.PercentileMicroseconds(99));
    }

    [Fact]
    public void A_new_calibration_takes_effect_at_the_next_frame()
    {
        var stage = Start();
        Publish(1000);
        Wait.Until(() => stage.Processed == 1);
        var averager = new DarkFrameAverager(stage.Calibration);
        var pixels = new ushort[Side * Side];
        pixels.AsSpan().Fill(400);
        var dark = new FrameInfo(0, 0, 0, Side, Side, 12, default, null, 0, Dark: true);
        Assert.False(averager.TryAdd(dark with { Dark = false }, pixels));
        Assert.True(averager.TryAdd(dark, pixels));
        stage.SetCalibration(averager.Build());
        Publish(1000);
        Wait.Until(() => stage.Processed == 2);
        Assert.InRange(_sink.Frames[0].CentrePixel, Level(1000) - 1, Level(1000) + 1);
        Assert.InRange(_sink.Frames[1].CentrePixel, Level(600) - 1, Level(600) + 1);
        Assert.Throws<InvalidOperationException>(() => new DarkFrameAverager(stage.Calibration).Build());
    }

    [Fact]
    public void Steady_state_processing_allocates_nothing_on_the_stage_thread()
    {
        var sink = new CountingSink();
        var stage = Start(sink: sink);
        stage.BeginRun(RunKind.Fluoro);
        // Warm up past tiered compilation, with idle gaps as between pulses so that the stage waits on its queue.
        for (int i = 0; i < 150; i++)
        {
            Publish((ushort)(1000 + i % 7));
            if (i % 10 == 0) Thread.Sleep(5);
        }
        Wait.Until(() => stage.Processed == 150);
        Thread.Sleep(500); // the stage blocks on its empty queue (the first block creates the event's lock once)
        Publish(1000);
        Wait.Until(() => stage.Processed == 151);
        long before = stage.StageThreadAllocatedBytes;
        for (int i = 0; i < 100; i++)
        {
            Publish((ushort)(1000 + i % 7));
            if (i % 10 == 0) Thread.Sleep(5);
        }
        Wait.Until(() => stage.Processed == 251);
        long allocated = stage.StageThreadAllocatedBytes - before;
        _output.WriteLine($"{allocated} bytes allocated by the stage thread over 100 frames; latency p50 {stage.Latency.P50Milliseconds:F2} ms, p99 {stage.Latency.P99Milliseconds:F2} ms ({stage.Backend})");
        Assert.Equal(0, allocated);
        Assert.Equal(0, stage.Dropped);
        Assert.Equal(251, sink.Count);
    }

    public void Dispose()
    {
        foreach (var stage in _stages) stage.Dispose();
    }
}

/// <summary>A sink that keeps what it was handed, and can hold the stage inside the call.</summary>
internal sealed class RecordingSink : IProcessedFrameSink
{
    private readonly ManualResetEventSlim _open = new(true);
    private readonly Lock _gate = new();
    private readonly List<Received> _frames = [];
    private int _entered;

    public int Entered => Volatile.Read(ref _entered);

    public IReadOnlyList<Received> Frames
    {
        get { lock (_gate) return [.. _frames]; }
    }

    public void Block() => _open.Reset();

    public void Unblock() => _open.Set();

    public void OnProcessedFrame(in ProcessedFrame frame)
    {
        Interlocked.Increment(ref _entered);
        _open.Wait();
        int centre = frame.Layout.Height / 2 * frame.Layout.Width + frame.Layout.Width / 2;
        var received = new Received(frame.Info, frame.Run, frame.Held, frame.Display.Length, frame.Display[centre], frame.Raw[centre]);
        lock (_gate) _frames.Add(received);
    }

    public sealed record Received(FrameInfo Info, RunKind Run, bool Held, int DisplayBytes, byte CentrePixel, ushort RawCentre);
}

/// <summary>A sink that only counts, so that it allocates nothing on the stage thread.</summary>
internal sealed class CountingSink : IProcessedFrameSink
{
    private long _count;
    private long _checksum;

    public long Count => Interlocked.Read(ref _count);

    public void OnProcessedFrame(in ProcessedFrame frame)
    {
        _checksum += frame.Display[0] + frame.Raw[0];
        Interlocked.Increment(ref _count);
    }
}

internal static class Wait
{
    /// <summary>Waits for a condition that the code under test will make true; the long bound only keeps a broken
    /// build from hanging, it is not a performance limit.</summary>
    public static void Until(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition() && clock.Elapsed < TimeSpan.FromSeconds(60)) Thread.Sleep(2);
        Assert.True(condition(), "the condition did not become true");
    }
}
