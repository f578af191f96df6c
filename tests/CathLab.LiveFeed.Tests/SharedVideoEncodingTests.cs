using CathLab.LiveFeed.Hosting;
using CathLab.LiveFeed.Video;
using CathLab.Video;

namespace CathLab.LiveFeed.Tests;

/// <summary>A video encoding is encoded once for all its observers, only while one watches, and a joining or
/// refused observer is brought back by a key frame on the next picture.</summary>
public sealed class SharedVideoEncodingTests
{
    private const int DisplaySize = 1024;
    private static readonly TimeSpan DisplayInterval = TimeSpan.FromSeconds(1.0 / 30);
    private static readonly VideoEncodingOption Small = new() { Size = 256, TargetKbps = 48, FramesPerSecond = 7.5 };
    private static readonly VideoEncodingOption FullRate = new() { Size = 256, TargetKbps = 300, FramesPerSecond = 30 };

    [Fact]
    public void One_encode_serves_every_observer_with_the_same_frame()
    {
        using var encoding = new SharedVideoEncoding(FullRate);
        var sinks = Enumerable.Range(0, 8).Select(_ => new RecordingSink()).ToArray();
        var subscriptions = sinks.Select(encoding.Subscribe).ToArray();
        for (int i = 0; i < 12; i++) Assert.True(encoding.Offer(DisplayFrame(i), DisplaySize, DisplayInterval * i));

        Assert.Equal(12, encoding.PicturesEncoded);
        Assert.Equal(1, encoding.EncodersStarted);
        foreach (var sink in sinks)
        {
            Assert.Equal(12, sink.Frames.Count);
            Assert.Equal(sinks[0].Frames.Select(f => f.Number), sink.Frames.Select(f => f.Number));
        }
        Assert.All(subscriptions, s => Assert.Equal(12, s.FramesSent));
        foreach (var sink in sinks) sink.ReleaseAll();
    }

    [Fact]
    public void A_late_joiner_gets_a_key_frame_on_the_next_picture_and_decodes_it()
    {
        using var encoding = new SharedVideoEncoding(FullRate with { KeyFrameInterval = TimeSpan.FromSeconds(10) });
        var first = new RecordingSink();
        using var firstSubscription = encoding.Subscribe(first);
        for (int i = 0; i < 10; i++) encoding.Offer(DisplayFrame(i), DisplaySize, DisplayInterval * i);

        var late = new RecordingSink();
        using var lateSubscription = encoding.Subscribe(late);
        encoding.Offer(DisplayFrame(10), DisplaySize, DisplayInterval * 10);

        Assert.Single(late.Frames);
        Assert.True(late.Frames[0].IsKeyFrame);
        Assert.Equal(10, late.Frames[0].Number);
        Assert.Equal([0L, 10L], first.Frames.Where(f => f.IsKeyFrame).Select(f => f.Number));
        using var decoder = new VideoDecoder(VideoCodec.Vp8);
        var picture = decoder.Decode(late.Frames[0].Span, new byte[FullRate.Size * FullRate.Size]);
        Assert.True(picture.HasPicture, picture.Reason);
        first.ReleaseAll();
        late.ReleaseAll();
    }

    [Fact]
    public void An_observer_whose_queue_refused_a_frame_gets_no_inter_frame_until_the_next_key_frame()
    {
        using var encoding = new SharedVideoEncoding(FullRate with { KeyFrameInterval = TimeSpan.FromSeconds(10) });
        var steady = new RecordingSink();
        var congested = new RecordingSink { RefuseFrameNumber = 4 };
        using var a = encoding.Subscribe(steady);
        using var b = encoding.Subscribe(congested);
        for (int i = 0; i < 8; i++) encoding.Offer(DisplayFrame(i), DisplaySize, DisplayInterval * i);

        Assert.Equal([0L, 1, 2, 3, 5, 6, 7], congested.Frames.Select(f => f.Number));
        Assert.True(congested.Frames[4].IsKeyFrame, "after the refused frame 4 the next frame sent must be a key frame");
        Assert.Equal(1, b.FramesRefused);
        Assert.Equal(8, steady.Frames.Count);
        steady.ReleaseAll();
        congested.ReleaseAll();
    }

    [Fact]
    public void After_a_refused_frame_inter_frames_wait_for_the_next_key_frame()
    {
        using var encoding = new SharedVideoEncoding(FullRate);
        using var source = new VideoEncoder(FullRate.ToEncoderSettings() with { KeyFrameInterval = 1000 });
        var sink = new RecordingSink { RefuseFrameNumber = 1 };
        var subscription = new VideoSubscription(encoding, sink);
        var picture = new byte[FullRate.Size * FullRate.Size];
        for (int i = 0; i < 5; i++)
        {
            BoxDownscale.Into(DisplayFrame(i), DisplaySize, picture, FullRate.Size);
            if (i == 4) source.RequestKeyFrame();
            var frame = source.Encode(picture);
            subscription.Deliver(frame, VideoFrameStamp.Unstamped);
            frame.Release();
        }

        Assert.Equal([0L, 4L], sink.Frames.Select(f => f.Number));
        Assert.Equal(2, subscription.FramesSkippedAwaitingKeyFrame);
        sink.ReleaseAll();
    }

    [Fact]
    public void A_subscriber_that_missed_the_key_frame_is_sent_no_inter_frames()
    {
        using var encoding = new SharedVideoEncoding(FullRate with { KeyFrameInterval = TimeSpan.FromSeconds(10) });
        var sink = new RecordingSink { RefuseFrameNumber = 0 };
        using var subscription = encoding.Subscribe(sink);
        for (int i = 0; i < 3; i++) encoding.Offer(DisplayFrame(i), DisplaySize, DisplayInterval * i);

        Assert.True(sink.Frames[0].IsKeyFrame);
        Assert.Equal(1, sink.Frames[0].Number);
        Assert.Equal(0, subscription.FramesSkippedAwaitingKeyFrame);
        sink.ReleaseAll();
    }

    [Fact]
    public void No_encoder_runs_while_no_video_observer_watches()
    {
        using var encoding = new SharedVideoEncoding(FullRate);
        Assert.False(encoding.Offer(DisplayFrame(0), DisplaySize, TimeSpan.Zero));
        Assert.False(encoding.IsEncoding);

        var sink = new RecordingSink();
        var subscription = encoding.Subscribe(sink);
        Assert.True(encoding.Offer(DisplayFrame(1), DisplaySize, DisplayInterval));
        Assert.True(encoding.IsEncoding);
        subscription.Dispose();
        Assert.False(encoding.Offer(DisplayFrame(2), DisplaySize, DisplayInterval * 2));
        Assert.False(encoding.IsEncoding);
        Assert.Equal(1, encoding.PicturesEncoded);
        sink.ReleaseAll();
    }

    [Fact]
    public void An_encoding_at_a_quarter_of_the_display_rate_encodes_one_frame_in_four()
    {
        using var encoding = new SharedVideoEncoding(Small);
        var sink = new RecordingSink();
        using var subscription = encoding.Subscribe(sink);
        int encoded = 0;
        for (int i = 0; i < 40; i++) if (encoding.Offer(DisplayFrame(i), DisplaySize, DisplayInterval * i)) encoded++;
        Assert.Equal(10, encoded);
        sink.ReleaseAll();
    }

    [Fact]
    public void A_ladder_whose_bit_rates_do_not_grow_is_refused()
    {
        var options = new LiveFeedOptions { VideoEncodings = [Small, Small with { Size = 512 }] };
        Assert.Throws<ArgumentException>(options.Validate);
        new LiveFeedOptions().Validate();
        Assert.Throws<ArgumentOutOfRangeException>(() => (Small with { Size = 250 }).Validate());
    }

    private static byte[] DisplayFrame(int index)
    {
        var frame = new byte[DisplaySize * DisplaySize];
        int cx = 300 + index * 8, cy = 512;
        for (int y = 0; y < DisplaySize; y++)
            for (int x = 0; x < DisplaySize; x++)
            {
                int dx = x - cx, dy = y - cy;
                frame[y * DisplaySize + x] = dx * dx + dy * dy < 120 * 120 ? (byte)40 : (byte)(90 + (x + y) / 16);
            }
        return frame;
    }

    private sealed class RecordingSink : IVideoFrameSink
    {
        public List<EncodedVideoFrame> Frames { get; } = [];

        public long? RefuseFrameNumber { get; init; }

        public bool Wants(in VideoFrameStamp stamp) => true;

        public bool TryTake(EncodedVideoFrame frame, in VideoFrameStamp stamp)
        {
            if (frame.Number == RefuseFrameNumber) return false;
            Frames.Add(frame);
            return true;
        }

        public void ReleaseAll()
        {
            foreach (var frame in Frames) frame.Release();
            Frames.Clear();
        }
    }
}
