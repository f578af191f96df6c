using CathLab.Acquisition.Distribution;
using CathLab.Acquisition.Imaging;
using CathLab.Acquisition.Protocols;
using CathLab.Acquisition.Sources;
using CathLab.Processing.Calibration;
using CathLab.Processing.Pipeline;
using CathLab.Sims.Detector;
using CathLab.Sims.Generator;
using CathLab.Wire.Generator;
using Microsoft.Extensions.Logging.Abstractions;
using FrameGeometry = CathLab.Processing.Frames.FrameGeometry;
using FramePool = CathLab.Acquisition.Frames.FramePool;

namespace CathLab.Acquisition.Tests;

/// <summary>The processing stage behind the simulated detector's real frame link: dark frames for the offset map,
/// then exposed frames processed with their arrival stamps.</summary>
public sealed class ProcessingStageOnDetectorTests : IAsyncLifetime
{
    private readonly SimulatedDetector _detector = new(new SimulatedDetectorOptions { Mode = DetectorMode.Binned512 });
    private readonly FramePool _pool = new(12, 512 * 512);
    private readonly FrameFanout _fanout = new();
    private readonly RecordingSink _sink = new();
    private FrameLinkSource _source = null!;
    private ProcessingStage _stage = null!;

    public async Task InitializeAsync()
    {
        _detector.Start();
        _source = new FrameLinkSource("127.0.0.1", _detector.Port, _pool, NullLogger<FrameLinkSource>.Instance);
        // Stands in for the run sequencer, the frames' owner: exposed frames go to the fan-out, dark frames are dropped.
        _source.FrameArrived += frame =>
        {
            if (frame.Info.Dark) frame.Release();
            else _fanout.Publish(frame);
        };
        var geometry = new FrameGeometry(512, 512, _detector.BitsStored);
        _stage = new ProcessingStage(_fanout, CalibrationData.Identity(geometry), new RunProcessingProfiles(), _sink,
            new ProcessingStageOptions { QueueCapacity = 8, Pipeline = new PipelineOptions { Backend = BackendChoice.Cpu, CpuThreads = 1 } });
        _stage.Start();
        await _source.StartAsync(CancellationToken.None);
        for (int i = 0; i < 1000 && _detector.SubscriberCount == 0; i++) await Task.Delay(10);
    }

    [Fact]
    public async Task Dark_frames_refresh_the_offset_map_and_exposed_frames_are_processed()
    {
        var identity = _stage.Calibration;
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var calibration = await _stage.RefreshOffsetAsync(_source, 4, guard.Token);
        Assert.Same(calibration, _stage.Calibration);
        double meanDark = calibration.Dark.Average();
        Assert.True(meanDark > 0, $"the simulated detector's dark level is above zero (mean {meanDark:F1} LSB)");
        Assert.Same(identity.Gain, calibration.Gain);
        Assert.Equal(_pool.Capacity, _pool.Available);

        _stage.BeginRun(RunKind.Cine);
        for (uint id = 1; id <= 5; id++)
            _detector.OnPulse(new DeliveredPulse(id, id * 33_333L, new Technique(75, 50, 6), ExposureKind.Cine, 20));
        Wait.Until(() => _stage.Processed == 5);
        Assert.All(_sink.Frames, f => Assert.Equal((512, 512, RunKind.Cine), (f.Info.Width, f.Info.Height, f.Run)));
        Assert.All(_sink.Frames, f => Assert.NotEqual(0, f.Info.ReceivedTimestamp));
        Assert.Equal(5, _stage.Latency.Count);
        Assert.Equal(0, _stage.Dropped);
    }

    [Fact]
    public async Task A_dark_frame_of_another_size_fails_the_offset_refresh_clearly()
    {
        var small = CalibrationData.Identity(new FrameGeometry(256, 256, _detector.BitsStored));
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var e = await Assert.ThrowsAsync<InvalidDataException>(() => DarkFrameAverager.AcquireAsync(_source, small, 2, guard.Token));
        Assert.Contains("512×512", e.Message);
    }

    public async Task DisposeAsync()
    {
        await _source.DisposeAsync();
        _stage.Dispose();
        _detector.Dispose();
    }
}
