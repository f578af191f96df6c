using CathLab.Contracts.Client;
using CathLab.LiveFeed.Frames;
using CathLab.LiveFeed.Protocol;
using CathLab.Video;
using CathLab.LiveFeed.Tests.Support;
using static CathLab.LiveFeed.Tests.Support.JoinRig;

namespace CathLab.LiveFeed.Tests;

/// <summary>An observer who joins between runs is sent the last run's last-image hold at once (the lab's monitors
/// show it; a black canvas until the next run is not what a late cardiologist should see); a JPEG observer who joins
/// while the run is exposing gets live frames only. A VP8 observer gets a picture at once either way: the hold, or the
/// newest display frame, as a key frame of its starting rung (no waiting for the next display frame); the shared
/// rung's key frame follows and the stream decodes on.</summary>
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
        await using var watch = await JoinAfterARunAsync(server, hold: true, ImageEncoding.Vp8, hang.Token);
        await UntilAsync(watch.Frames, 1, hang.Token);
        LiveFrame first;
        lock (watch.Frames) first = watch.Frames[0];
        Assert.True(first.LastImageHold);
        Assert.Equal(9ul, first.FrameNumber);
        Assert.Equal(ImageEncoding.Vp8, first.Encoding);
        Assert.True(first.KeyFrame);
        Assert.Equal(DecodeStatus.Picture, Decode(first).Status);
        Assert.Equal(1, server.Hub.JoinPicturesSent);
        Assert.Equal(0, server.Hub.HoldsReplayed); // no JPEG: the video observer's decoder shows it
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

    [Fact]
    public async Task A_video_joiners_first_frame_is_the_newest_display_frame_as_a_key_frame_and_the_stream_decodes_on_from_the_next_key_frame()
    {
        await using var server = await LiveFeedTestServer.StartAsync();
        using var hang = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var watch = await JoinAfterARunAsync(server, hold: false, ImageEncoding.Vp8, hang.Token);
        // Only now do new display frames come: a joiner that waited for one would first get frame 10 or later.
        for (long n = 10; ; n += 4)
        {
            PublishRun(server.Hub, n, 4, hold: false);
            lock (watch.Frames) if (watch.Frames.Count >= 3) break;
            await Task.Delay(50, hang.Token);
        }
        await watch.DisposeAsync();

        List<LiveFrame> got;
        lock (watch.Frames) got = [.. watch.Frames];
        Assert.Equal(9ul, got[0].FrameNumber);
        Assert.Equal(ImageEncoding.Vp8, got[0].Encoding);
        Assert.True(got[0].KeyFrame);
        Assert.False(got[0].LastImageHold);
        Assert.Equal(256u, got[0].Width); // the default ladder's starting rung
        Assert.True(got[1].KeyFrame, "the shared rung's stream must begin at its own key frame"); // the join picture is not in its chain
        Assert.True(got[1].FrameNumber > 9);
        using var decoder = new VideoDecoder(VideoCodec.Vp8);
        var picture = new byte[256 * 256];
        Assert.All(got, f => Assert.Equal(DecodeStatus.Picture, decoder.Decode(f.Data.Span, picture).Status));
        Assert.Equal(1, server.Hub.JoinPicturesSent);
    }
}
