namespace CathLab.Video.Tests;

/// <summary>Key frames come when asked (a joining observer) and at least every key-frame interval.</summary>
public sealed class KeyFrameTests
{
    [Theory]
    [InlineData(VideoCodec.Vp8)]
    [InlineData(VideoCodec.Vp9)]
    public void A_requested_key_frame_is_the_next_frame_and_decodes_on_a_fresh_decoder(VideoCodec codec)
    {
        var frames = RoundTripTests.Frames512.Value;
        using var encoder = new VideoEncoder(new VideoEncoderSettings { Codec = codec, KeyFrameInterval = 1000 });
        var keys = new List<long>();
        for (int i = 0; i < 12; i++)
        {
            if (i == 7) encoder.RequestKeyFrame();
            var frame = encoder.Encode(frames.Display[i % frames.Count]);
            if (frame.IsKeyFrame) keys.Add(frame.Number);
            if (i == 7)
            {
                using var joiner = new VideoDecoder(codec);
                var result = joiner.Decode(frame.Span, new byte[512 * 512]);
                Assert.True(result.HasPicture && result.IsKeyFrame, result.Reason);
            }
            frame.Release();
        }
        Assert.Equal([0L, 7L], keys);
    }

    [Fact]
    public void Key_frames_come_at_least_every_interval()
    {
        var frames = RoundTripTests.Frames512.Value;
        using var encoder = new VideoEncoder(new VideoEncoderSettings { Codec = VideoCodec.Vp8, KeyFrameInterval = 5 });
        long lastKey = 0;
        for (int i = 0; i < 30; i++)
        {
            var frame = encoder.Encode(frames.Display[i % frames.Count]);
            if (frame.IsKeyFrame) lastKey = frame.Number;
            frame.Release();
            Assert.True(i - lastKey <= 5, $"frame {i}: last key frame was {lastKey}");
        }
    }

    [Fact]
    public void A_decoder_that_joins_mid_stream_waits_for_the_key_frame()
    {
        var frames = RoundTripTests.Frames512.Value;
        using var encoder = new VideoEncoder(new VideoEncoderSettings { Codec = VideoCodec.Vp9 });
        using var late = new VideoDecoder(VideoCodec.Vp9);
        var picture = new byte[512 * 512];
        for (int i = 0; i < 6; i++)
        {
            if (i == 4) encoder.RequestKeyFrame();
            var frame = encoder.Encode(frames.Display[i % frames.Count]);
            if (i >= 2)
            {
                var result = late.Decode(frame.Span, picture);
                Assert.Equal(i < 4 ? DecodeStatus.AwaitingKeyFrame : DecodeStatus.Picture, result.Status);
            }
            frame.Release();
        }
    }
}
