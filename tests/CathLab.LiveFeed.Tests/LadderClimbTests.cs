using System.Net;
using CathLab.Contracts.Client;
using CathLab.LiveFeed.Protocol;
using CathLab.LiveFeed.Sessions;
using CathLab.LiveFeed.Tests.Support;
using CathLab.LiveFeed.Tiers;
using Xunit.Abstractions;

namespace CathLab.LiveFeed.Tests;

/// <summary>The ladder's climb over the throttling relay on 127.0.0.1, by an observer that takes 25 ms to handle each
/// frame before it acknowledges it (as the browser viewer draws first). The climb is counted in frames offered.
/// Before the link model, the draw delay was taken for link time: the quarter preview "measured" about 170 KB/s, the
/// 45 KB of the next level never fitted, and the observer stayed at the preview however fast the link.</summary>
public sealed class LadderClimbTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int DrawDelayMs = 25;

    /// <summary>docs/live-feed.md: two steps of a hold (8 frames on time) and a probe (the probe and the frame after it),
    /// with up to two frames offered while a probe is on its way.</summary>
    private const int ClimbBoundFrames = 2 * (8 + 2 + 2);

    private LiveFeedTestServer _server = null!;

    public async Task InitializeAsync() => _server = await LiveFeedTestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    /// <summary>16 Mbit/s (2 MB/s) at 10 fps: about 2.8 times the diagnostic tier's rate (the test frames' diagnostic JPEG
    /// is about 72 KB, the half preview 4.9 KB, the quarter 1.4 KB). Before the link model the observer stopped at the
    /// half preview: 4.9 KB in 25 ms "measured" 200 KB/s, and 72 KB did not fit in 150 ms.</summary>
    [Fact]
    public async Task ALinkThatCarriesTheDiagnosticTierClimbsToItWithinTheBound()
    {
        var (frames, _) = await WatchAsync(bitsPerSecond: 16e6, fps: 10, untilFrames: 150, stopAtLevel: 1);
        var first = frames[0];
        var atTier = frames.FirstOrDefault(f => f.Level == 1);
        Assert.True(atTier.FrameNumber > 0, $"never reached the diagnostic tier; levels {string.Join(",", frames.Select(f => f.Level))}");
        long climb = atTier.FrameNumber - first.FrameNumber;
        output.WriteLine($"first frame #{first.FrameNumber}, first diagnostic frame #{atTier.FrameNumber}: {climb} frames offered in between (bound {ClimbBoundFrames})");
        Assert.True(climb <= ClimbBoundFrames, $"the diagnostic tier came {climb} frames after the first frame, more than {ClimbBoundFrames}");
    }

    /// <summary>256 kbit/s (32 KB/s) at 10 fps: the quarter preview needs 14 KB/s, the half preview 49 KB/s, more than the link.</summary>
    [Fact]
    public async Task ALinkThatDoesNotCarryTheNextLevelDoesNotClimb()
    {
        var (frames, session) = await WatchAsync(bitsPerSecond: 256e3, fps: 10, untilFrames: 100, stopAtLevel: -1);
        output.WriteLine($"{frames.Count} frames received, levels {string.Join(",", frames.Select(f => f.Level).Distinct())}; steps up {session.StepsUp}, probes {session.Probes}");
        Assert.Equal(0, session.StepsUp);
        Assert.True(session.Probes >= 1, "the next level was never probed");
        Assert.True(frames.Count(f => f.Level < 3) <= session.Probes, "frames above the quarter preview that were not probes");
    }

    private async Task<(List<(long FrameNumber, int Level)> Frames, ObserverSession Session)> WatchAsync(double bitsPerSecond, double fps, int untilFrames, int stopAtLevel)
    {
        await using var relay = new ThrottlingRelay(new IPEndPoint(IPAddress.Loopback, _server.Address.Port), bitsPerSecond);
        using var channel = LiveFeedObserver.CreateChannel(new Uri($"http://127.0.0.1:{relay.Port}"));
        var observer = new LiveFeedObserver(channel, LiveFeedTestServer.ObserverToken, keepLatencies: true);
        var received = new List<(long FrameNumber, int Level)>();
        ObserverSession? session = null;
        using var stop = new CancellationTokenSource();
        var watch = observer.RunAsync(new WatchRequest { ExamId = LiveFeedTestServer.Exam, BestTier = Tier.Diagnostic }, f =>
        {
            session ??= _server.Hub.Sessions.Single();
            lock (received) received.Add(((long)f.FrameNumber, (int)f.Level));
            if ((int)f.Level == stopAtLevel) stop.Cancel();
            Thread.Sleep(DrawDelayMs);
        }, null, stop.Token);
        using (var pump = new FramePump(_server.Hub, SimulatedFrameSet.Full, fps).Start())
        {
            SpinWait.SpinUntil(() => stop.IsCancellationRequested || pump.Published >= untilFrames, TimeSpan.FromMinutes(3));
            output.WriteLine($"published {pump.Published}; sizes: diagnostic {_server.Hub.AverageBytes(StreamVariant.All[1]):F0}, half {_server.Hub.AverageBytes(StreamVariant.All[2]):F0}, quarter {_server.Hub.AverageBytes(StreamVariant.All[3]):F0} bytes; relay woke at worst {relay.LongestLateWakeMilliseconds:F0} ms late");
            stop.Cancel();
        }
        try
        {
            await watch.WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (Exception e) when (e is OperationCanceledException or Grpc.Core.RpcException)
        {
        }
        Assert.NotNull(session);
        lock (received) return ([.. received], session);
    }
}
