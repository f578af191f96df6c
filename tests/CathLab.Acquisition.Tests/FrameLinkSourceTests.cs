using System.Collections.Concurrent;
using CathLab.Acquisition.Frames;
using FramePool = CathLab.Acquisition.Frames.FramePool;
using CathLab.Acquisition.Sources;
using CathLab.Sims.Detector;
using CathLab.Sims.Generator;
using CathLab.Wire.Generator;
using Microsoft.Extensions.Logging.Abstractions;

namespace CathLab.Acquisition.Tests;

public sealed class FrameLinkSourceTests : IAsyncLifetime
{
    private readonly SimulatedDetector _detector = new(new SimulatedDetectorOptions { Mode = DetectorMode.Binned512 });
    private readonly FramePool _pool = new(16);
    private readonly ConcurrentQueue<FrameInfo> _arrived = new();
    private long _lost;
    private FrameLinkSource _source = null!;

    public async Task InitializeAsync()
    {
        _detector.Start();
        _source = new FrameLinkSource("127.0.0.1", _detector.Port, _pool, NullLogger<FrameLinkSource>.Instance);
        _source.FrameArrived += frame =>
        {
            _arrived.Enqueue(frame.Info);
            frame.Release();
        };
        _source.FramesLost += n => Interlocked.Add(ref _lost, n);
        await _source.StartAsync(CancellationToken.None);
        await WaitFor(() => _detector.SubscriberCount == 1);
    }

    private void Pulse(uint id) =>
        _detector.OnPulse(new DeliveredPulse(id, id * 33_333L, new Technique(75, 50, 6), ExposureKind.Fluoro, 20));

    private static async Task WaitFor(Func<bool> condition)
    {
        for (int i = 0; i < 1000 && !condition(); i++) await Task.Delay(20);
        Assert.True(condition());
    }

    [Fact]
    public async Task Frames_arrive_in_order_with_the_pulse_and_technique_that_made_them()
    {
        for (uint i = 1; i <= 10; i++) Pulse(i);
        await WaitFor(() => _arrived.Count == 10);
        var frames = _arrived.ToArray();
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), frames.Select(f => f.Sequence));
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (uint)i), frames.Select(f => f.PulseId));
        Assert.All(frames, f => Assert.Equal((512, 512, 75.0), (f.Width, f.Height, f.Technique.Kv)));
        Assert.Equal(0, Interlocked.Read(ref _lost));
        Assert.Equal(16, _pool.Available);
    }

    [Fact]
    public async Task Frames_dropped_by_the_detector_are_reported_as_lost()
    {
        _detector.SetFaults(new DetectorFaultOptions(DropEveryNth: 3));
        for (uint i = 1; i <= 9; i++) Pulse(i);
        await WaitFor(() => _arrived.Count == 6);
        await WaitFor(() => Interlocked.Read(ref _lost) >= 2);
        Assert.DoesNotContain(_arrived, f => f.Sequence == 3);
    }

    [Fact]
    public async Task Dark_frames_arrive_on_request_marked_as_dark()
    {
        await _source.RequestDarkFramesAsync(3, CancellationToken.None);
        await WaitFor(() => _arrived.Count(f => f.Dark) == 3);
        Assert.All(_arrived, f => Assert.Equal(0u, f.PulseId));
    }

    public async Task DisposeAsync()
    {
        await _source.DisposeAsync();
        _detector.Dispose();
    }
}
