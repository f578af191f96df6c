using CathLab.Contracts.Client;
using CathLab.LiveFeed.Frames;
using CathLab.LiveFeed.Protocol;
using CathLab.LiveFeed.Tests.Support;

namespace CathLab.LiveFeed.Tests;

/// <summary>An observer who joins between runs is sent the last run's last-image hold at once (the lab's monitors
/// show it; a black canvas until the next run is not what a late cardiologist should see); one who joins while the
/// run is exposing gets live frames only.</summary>
public sealed class LastImageHoldReplayTests
{
    private static void PublishRun(LiveFeedHub hub, long first, int frames, bool hold)
    {
        var set = SimulatedFrameSet.Full;
        hub.PublishRunStarted("RUN-1", "fluoro", 15);
        for (long n = first; n < first + frames; n++)
        {
            while (!hub.PublishFrame(LiveFrameInfo.Square(n, set.Side, 14), set.Raw[(int)(n % set.Count)], set.Display[(int)(n % set.Count)])) Thread.Sleep(5);
        }
        if (!hold) return;
        long last = first + frames - 1;
        while (!hub.PublishFrame(LiveFrameInfo.Square(last, set.Side, 14) with { LastImageHold = true }, set.Raw[(int)(last % set.Count)], set.Display[(int)(last % set.Count)])) Thread.Sleep(5);
        hub.PublishRunEnded("RUN-1", frames);
    }

    private static async Task UntilEncodedAsync(LiveFeedHub hub, CancellationToken ct)
    {
        while (hub.EncoderFramesDone < hub.Counters.Published - hub.Counters.DroppedBeforeEncoder) await Task.Delay(10, ct);
    }

    private static async Task<(List<LiveFrame> Frames, Task Watching, CancellationTokenSource Stop)> WatchAsync(LiveFeedTestServer server, Grpc.Net.Client.GrpcChannel channel,
        CancellationToken hang, ImageEncoding codec = ImageEncoding.Unspecified)
    {
        var frames = new List<LiveFrame>();
        var stop = CancellationTokenSource.CreateLinkedTokenSource(hang);
        var observer = new LiveFeedObserver(channel, LiveFeedTestServer.ObserverToken);
        int before = server.Hub.Sessions.Count;
        var watching = observer.RunAsync(new WatchRequest { ExamId = LiveFeedTestServer.Exam, BestTier = Tier.Preview, Codec = codec },
            f => { lock (frames) frames.Add(f.Clone()); }, null, stop.Token);
        while (server.Hub.Sessions.Count == before) await Task.Delay(10, hang);
        return (frames, watching, stop);
    }

    private static async Task UntilAsync(List<LiveFrame> frames, int count, CancellationToken ct)
    {
        while (true)
        {
            lock (frames) if (frames.Count >= count) return;
            await Task.Delay(10, ct);
        }
    }

    [Fact]
    public async Task A_joiner_between_runs_is_sent_the_hold_first_and_then_the_next_run_live()
    {
        await using var server = await LiveFeedTestServer.StartAsync();
        using var hang = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        PublishRun(server.Hub, 0, 10, hold: true);
        await UntilEncodedAsync(server.Hub, hang.Token);

        using var channel = LiveFeedObserver.CreateChannel(server.Address);
        var (frames, watching, stop) = await WatchAsync(server, channel, hang.Token);
        await UntilAsync(frames, 1, hang.Token);
        lock (frames)
        {
            Assert.True(frames[0].LastImageHold);
            Assert.Equal(9ul, frames[0].FrameNumber);
            Assert.False(frames[0].Data.IsEmpty);
        }
        Assert.Equal(1, server.Hub.HoldsReplayed);

        PublishRun(server.Hub, 10, 3, hold: false);
        await UntilAsync(frames, 2, hang.Token);
        lock (frames) Assert.InRange(frames[1].FrameNumber, 10ul, 12ul); // the next run's (the starting level may skip some)
        lock (frames) Assert.DoesNotContain(frames.Skip(1), f => f.LastImageHold);
        stop.Cancel();
        await watching.ContinueWith(_ => { }, TaskScheduler.Default);
    }

    [Fact]
    public async Task A_video_observer_joining_between_runs_is_sent_the_hold_as_a_jpeg()
    {
        await using var server = await LiveFeedTestServer.StartAsync();
        using var hang = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        PublishRun(server.Hub, 0, 10, hold: true);
        await UntilEncodedAsync(server.Hub, hang.Token);

        using var channel = LiveFeedObserver.CreateChannel(server.Address);
        var (frames, watching, stop) = await WatchAsync(server, channel, hang.Token, ImageEncoding.Vp8);
        await UntilAsync(frames, 1, hang.Token);
        lock (frames)
        {
            Assert.True(frames[0].LastImageHold);
            Assert.Equal(9ul, frames[0].FrameNumber);
            Assert.Equal(ImageEncoding.Jpeg, frames[0].Encoding);
        }
        stop.Cancel();
        await watching.ContinueWith(_ => { }, TaskScheduler.Default);
    }

    [Fact]
    public async Task A_joiner_while_the_run_exposes_is_sent_no_hold()
    {
        await using var server = await LiveFeedTestServer.StartAsync();
        using var hang = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        PublishRun(server.Hub, 0, 5, hold: true);
        PublishRun(server.Hub, 5, 5, hold: false); // the next run has begun: its frames are newer than the hold
        await UntilEncodedAsync(server.Hub, hang.Token);

        using var channel = LiveFeedObserver.CreateChannel(server.Address);
        var (frames, watching, stop) = await WatchAsync(server, channel, hang.Token);
        PublishRun(server.Hub, 10, 2, hold: false);
        await UntilAsync(frames, 1, hang.Token);
        Assert.Equal(0, server.Hub.HoldsReplayed);
        lock (frames) Assert.DoesNotContain(frames, f => f.LastImageHold);
        stop.Cancel();
        await watching.ContinueWith(_ => { }, TaskScheduler.Default);
    }
}
