using CathLab.Contracts;
using System.Net;
using CathLab.Contracts.Client;
using CathLab.LiveFeed.Protocol;
using CathLab.LiveFeed.Frames;
using CathLab.LiveFeed.Tests.Support;
using Xunit.Abstractions;

namespace CathLab.LiveFeed.Tests;

/// <summary>One observer behind a 256 kbit/s relay, one on loopback, and a recorder that must lose nothing.</summary>
public sealed class ThrottledObserverTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const double Fps = 15;
    private const int Seconds = 20;
    private const int SettleSeconds = 8;
    private LiveFeedTestServer _server = null!;

    public async Task InitializeAsync() => _server = await LiveFeedTestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task AThrottledObserverStaysLiveWhileTheOtherKeepsTheFullRateAndTheRecorderLosesNothing()
    {
        await using var relay = new ThrottlingRelay(new IPEndPoint(IPAddress.Loopback, _server.Address.Port), 256_000);
        using var recorder = new CountingRecorder();
        using var pump = new FramePump(_server.Hub, SimulatedFrameSet.Full, Fps, recorder).Start();
        using var fastChannel = LiveFeedObserver.CreateChannel(_server.Address);
        using var slowChannel = LiveFeedObserver.CreateChannel(new Uri($"http://127.0.0.1:{relay.Port}"));
        var fast = new LiveFeedObserver(fastChannel, LiveFeedTestServer.ObserverToken, keepLatencies: true);
        var slow = new LiveFeedObserver(slowChannel, LiveFeedTestServer.ObserverToken, keepLatencies: true);
        var request = new WatchRequest { ExamId = LiveFeedTestServer.Exam, BestTier = Tier.Diagnostic };

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(Seconds));
        long publishedAtStart = pump.Published;
        long encodedAtStart = _server.Hub.Counters.Encoded;
        long startUs = UnixClock.NowMicroseconds();
        var pauseAtStart = GC.GetTotalPauseDuration();
        int gen2AtStart = GC.CollectionCount(2);
        var runs = new[] { fast.RunAsync(request, null, null, stop.Token), slow.RunAsync(request, null, null, stop.Token) };
        foreach (var run in runs)
        {
            try
            {
                await run.WaitAsync(TimeSpan.FromSeconds(Seconds + 60));
            }
            catch (Exception e) when (e is OperationCanceledException or Grpc.Core.RpcException)
            {
            }
        }
        long published = pump.Published - publishedAtStart;
        long encoded = _server.Hub.Counters.Encoded - encodedAtStart;
        pump.Dispose();
        recorder.Finish();

        var settled = slow.Statistics.Timeline().Where(f => f.ReceivedUs - startUs > SettleSeconds * 1_000_000L).ToArray();
        output.WriteLine($"published {published} frames in {Seconds} s, {encoded} encoded (the rest dropped before the encoder); relay forwarded {relay.ForwardedBytes} bytes, woke at worst {relay.LongestLateWakeMilliseconds:F0} ms late");
        output.WriteLine($"fast: {fast.Statistics}");
        output.WriteLine($"slow: {slow.Statistics}");
        output.WriteLine($"slow after {SettleSeconds} s: {settled.Length} frames, latency max {settled.Select(f => f.LatencyMs).DefaultIfEmpty().Max():F0} ms, levels {string.Join(",", settled.Select(f => f.Level).Distinct())}");
        var worst = settled.OrderByDescending(f => f.LatencyMs).Take(5).Select(f => $"#{f.FrameNumber} L{f.Level}: {f.StationMs:F0} in the station + {f.LatencyMs - f.StationMs:F0} link");
        output.WriteLine($"slow, worst settled frames (ready to sent, sent to received, ms): {string.Join("; ", worst)}");
        output.WriteLine($"GC during the run: {GC.CollectionCount(2) - gen2AtStart} gen2, total pause {(GC.GetTotalPauseDuration() - pauseAtStart).TotalMilliseconds:F0} ms");
        output.WriteLine($"longest PublishFrame {pump.LongestPublish.TotalMilliseconds:F2} ms");

        Assert.Equal(pump.Published, recorder.Received);
        Assert.Equal(0, recorder.Overflow);
        Assert.Equal(0, recorder.OutOfOrder);

        Assert.True(settled.Length >= 5, $"the throttled observer got only {settled.Length} frames after settling");
        Assert.All(settled, f => Assert.True(f.LatencyMs < 1000, $"a throttled frame arrived {f.LatencyMs:F0} ms after it was ready"));
        Assert.All(settled, f => Assert.True(f.Level >= 2, $"the throttled observer got level {f.Level}, not a preview"));
        // Whether the throttled observer loses frames depends on whether the ladder tried a level its link cannot
        // carry; either way every frame it did not receive is reported to it, so both observers account for the same
        // frames (less a second of connecting skew).
        long Accounted(LiveFeedObserver o) => o.Statistics.Frames + o.Statistics.LostReported + o.Statistics.SkippedReported;
        Assert.True(Accounted(slow) >= Accounted(fast) - Fps, $"the throttled observer accounts for {Accounted(slow)} frames, the other for {Accounted(fast)}");

        // Full rate: the frames the live feed encoded (on a loaded machine the encoder itself drops some, which
        // every observer sees alike), less a margin for connecting and for a starved client, at a level that
        // takes every frame.
        Assert.True(fast.Statistics.Frames >= 0.75 * encoded, $"the unthrottled observer got {fast.Statistics.Frames} of {encoded} encoded frames");
        Assert.True(fast.Statistics.Level <= 3, $"the unthrottled observer ended at level {fast.Statistics.Level}, below full rate");
    }
}
