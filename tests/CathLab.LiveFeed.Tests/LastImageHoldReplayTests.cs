using CathLab.Contracts.Client;
using CathLab.LiveFeed.Frames;
using CathLab.LiveFeed.Protocol;
using CathLab.Video;
using CathLab.LiveFeed.Tests.Support;
using static CathLab.LiveFeed.Tests.Support.JoinRig;

namespace CathLab.LiveFeed.Tests;

/// <summary>An observer who joins between runs is sent the last run's last-image hold at once (the lab's monitors
/// show it; a black canvas until the next run is not what a late cardiologist should see); one who joins while the
/// run is exposing gets live frames only.</summary>
public sealed class LastImageHoldReplayTests
{
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
    public async Task A_video_observer_joining_between_runs_is_sent_the_hold_as_a_key_frame_it_decodes()
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
            Assert.Equal(ImageEncoding.Vp8, frames[0].Encoding);
            Assert.True(frames[0].KeyFrame);
            Assert.Equal(DecodeStatus.Picture, Decode(frames[0]).Status);
        }
        Assert.Equal(1, server.Hub.JoinPicturesSent);
        Assert.Equal(0, server.Hub.HoldsReplayed); // no JPEG: the video observer's decoder shows it
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
