using CathLab.Contracts.Client;
using CathLab.LiveFeed.Protocol;
using CathLab.LiveFeed.Tests.Support;
using CathLab.Video;
using static CathLab.LiveFeed.Tests.Support.JoinRig;

namespace CathLab.LiveFeed.Tests;

/// <summary>A video observer joining while a run is live is sent, at once, the newest display frame as a key frame of
/// its starting rung (no waiting for the next display frame); the shared rung's key frame follows and the stream decodes on.</summary>
public sealed class VideoJoinPictureTests
{
    [Fact]
    public async Task A_video_joiners_first_frame_is_the_newest_display_frame_as_a_key_frame_and_the_stream_decodes_on_from_the_next_key_frame()
    {
        await using var server = await LiveFeedTestServer.StartAsync();
        using var hang = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        PublishRun(server.Hub, 0, 10, hold: false);
        await UntilEncodedAsync(server.Hub, hang.Token);

        using var channel = LiveFeedObserver.CreateChannel(server.Address);
        var (frames, watching, stop) = await WatchAsync(server, channel, hang.Token, ImageEncoding.Vp8);
        // Only now do new display frames come: a joiner that waited for one would first get frame 10 or later.
        for (long n = 10; ; n += 4)
        {
            PublishRun(server.Hub, n, 4, hold: false);
            lock (frames) if (frames.Count >= 3) break;
            await Task.Delay(50, hang.Token);
        }
        stop.Cancel();
        await watching.ContinueWith(_ => { }, TaskScheduler.Default);

        List<LiveFrame> got;
        lock (frames) got = [.. frames];
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
