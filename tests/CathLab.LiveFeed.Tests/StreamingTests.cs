using CathLab.Contracts.Client;
using CathLab.LiveFeed.Protocol;
using CathLab.LiveFeed.Tests.Support;
using CathLab.LiveFeed.Tiers;
using OpenCvSharp;

namespace CathLab.LiveFeed.Tests;

/// <summary>Observers over real gRPC on loopback, fed from the simulator's frames.</summary>
public sealed class StreamingTests : IAsyncLifetime
{
    private LiveFeedTestServer _server = null!;

    public async Task InitializeAsync() => _server = await LiveFeedTestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static async Task WaitFor(Func<bool> condition, string what, int seconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out waiting for {what}");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task ObserversReceiveFramesEventsAndTheCurrentStateOnJoining()
    {
        var hub = _server.Hub;
        hub.PublishRunStarted("RUN-1", "fluoro", 15);
        hub.PublishTechnique(75, 10, 6, 15);
        using var pump = new FramePump(hub, SimulatedFrameSet.Full, 15).Start();
        using var channel = LiveFeedObserver.CreateChannel(_server.Address);
        var observer = new LiveFeedObserver(channel, LiveFeedTestServer.ObserverToken, keepLatencies: true);
        var events = new List<ExamEvent>();
        var frames = new List<LiveFrame>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var run = observer.RunAsync(new WatchRequest { ExamId = LiveFeedTestServer.Exam, BestTier = Tier.Diagnostic },
            f => { lock (frames) frames.Add(f); }, e => { lock (events) events.Add(e); }, stop.Token);
        await WaitFor(() => observer.Statistics.Frames >= 10, "10 frames");
        hub.PublishDose(12.5, 3.1, 42);
        await WaitFor(() => { lock (events) return events.Any(e => e.Dose is not null); }, "the dose event");
        await WaitFor(() => observer.Statistics.Level == 1, "the diagnostic tier");
        stop.Cancel();
        await Assert.ThrowsAnyAsync<Exception>(() => run);

        lock (events)
        {
            Assert.Equal("RUN-1", events.First(e => e.RunStarted is not null).RunStarted.RunId);
            Assert.Equal(75f, events.First(e => e.Technique is not null).Technique.Kv);
            Assert.All(events, e => Assert.Equal(LiveFeedTestServer.Exam, e.ExamId));
        }
        LiveFrame last;
        lock (frames) last = frames[^1];
        Assert.Equal(Tier.Diagnostic, last.Tier);
        Assert.Equal(1024u, last.Width);
        using var decoded = Cv2.ImDecode(last.Data.Span, ImreadModes.Grayscale);
        Assert.Equal(new Size(1024, 1024), decoded.Size());
        Assert.Equal("RUN-1", last.RunId);
        Assert.All(observer.Statistics.LatenciesMs(), l => Assert.True(l >= 0));
        Assert.Contains(_server.Audit.Recent(), r => r.Action == "watch-start" && r.Subject == "dr-referrer");
        await WaitFor(() => _server.Audit.Recent().Any(r => r.Action == "watch-end" && r.Subject == "dr-referrer" && r.DurationSeconds > 0), "the watch-end audit record");
    }

    [Fact]
    public async Task EachVariantIsEncodedAtMostOncePerFrameHoweverManyWatch()
    {
        var hub = _server.Hub;
        using var pump = new FramePump(hub, SimulatedFrameSet.Full, 15).Start();
        var channels = Enumerable.Range(0, 4).Select(_ => LiveFeedObserver.CreateChannel(_server.Address)).ToArray();
        var observers = channels.Select(c => new LiveFeedObserver(c, LiveFeedTestServer.ObserverToken)).ToArray();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var runs = observers.Select(o => o.RunAsync(new WatchRequest { ExamId = LiveFeedTestServer.Exam, BestTier = Tier.Preview }, null, null, stop.Token)).ToArray();
        await WaitFor(() => observers.All(o => o.Statistics.Frames >= 20), "20 frames at each of 4 observers");
        stop.Cancel();
        foreach (var r in runs) await Assert.ThrowsAnyAsync<Exception>(() => r);
        foreach (var c in channels) c.Dispose();

        long encoded = hub.Counters.Encoded;
        foreach (var v in StreamVariant.All) Assert.True(hub.EncodesOf(v) <= encoded, $"{v.Tier}/{v.DownscaleFactor}: {hub.EncodesOf(v)} encodes for {encoded} frames");
        long previewEncodes = hub.EncodesOf(StreamVariant.All[2]) + hub.EncodesOf(StreamVariant.All[3]);
        Assert.True(previewEncodes < observers.Sum(o => o.Statistics.Frames), "four observers of the same preview must share its encodes");
    }

    [Fact]
    public async Task AMarkedFrameIsFetchedLosslessAfterItLeftTheRecentRing()
    {
        var hub = _server.Hub;
        var set = SimulatedFrameSet.Full;
        using var pump = new FramePump(hub, set, 15).Start();
        using var channel = LiveFeedObserver.CreateChannel(_server.Address);
        var observer = new LiveFeedObserver(channel, LiveFeedTestServer.ObserverToken);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var run = observer.RunAsync(new WatchRequest { ExamId = LiveFeedTestServer.Exam, BestTier = Tier.Preview }, null, null, stop.Token);
        await WaitFor(() => observer.Statistics.Frames >= 3, "3 frames");
        ulong marked = (ulong)observer.Statistics.LastFrameNumber;
        await observer.MarkAsync(marked, stop.Token);
        long after = pump.Published + 40; // the recent ring keeps 16
        await WaitFor(() => pump.Published > after, "40 more frames");

        var fetched = await observer.FetchAsync(LiveFeedTestServer.Exam, marked, stop.Token);
        stop.Cancel();
        await Assert.ThrowsAnyAsync<Exception>(() => run);

        Assert.Equal(ImageEncoding.Png16, fetched.Encoding);
        Assert.Equal(14u, fetched.BitsStored);
        using var png = Cv2.ImDecode(fetched.Data.Span, ImreadModes.Unchanged);
        Assert.Equal(MatType.CV_16UC1, png.Type());
        png.GetArray(out ushort[] decoded);
        Assert.Equal(set.Raw[(int)(marked % (ulong)set.Count)], decoded);
        Assert.Contains(_server.Audit.Recent(), r => r.Action == "fetch-lossless" && r.Outcome == "OK");
    }
}
