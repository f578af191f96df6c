namespace CathLab.Video.Tests;

/// <summary>Frames from a hostile or lossy relay: truncated, overwritten, or garbage. The decoder says so, shows
/// nothing wrong, never throws or crashes, and is back at the next key frame.</summary>
public sealed class BadFrameTests
{
    public static TheoryData<VideoCodec> Codecs => new() { VideoCodec.Vp8, VideoCodec.Vp9 };

    [Theory]
    [MemberData(nameof(Codecs))]
    public void A_truncated_key_frame_is_rejected(VideoCodec codec)
    {
        var stream = Encode(codec, 1);
        using var decoder = new VideoDecoder(codec);
        var result = decoder.Decode(stream[0].AsSpan(0, stream[0].Length / 3), new byte[512 * 512]);
        Assert.Equal(DecodeStatus.Rejected, result.Status);
        Assert.False(string.IsNullOrEmpty(result.Reason));
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void Garbage_and_empty_frames_are_rejected(VideoCodec codec)
    {
        using var decoder = new VideoDecoder(codec);
        var picture = new byte[512 * 512];
        var garbage = new byte[3000];
        new Random(5).NextBytes(garbage);
        garbage[0] &= 0xFE; // a VP8 key-frame bit, so the decoder does try it
        Assert.Equal(DecodeStatus.Rejected, decoder.Decode([], picture).Status);
        Assert.NotEqual(DecodeStatus.Picture, decoder.Decode(garbage, picture).Status);
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void After_a_truncated_frame_inter_frames_wait_and_the_next_key_frame_recovers(VideoCodec codec)
    {
        var stream = Encode(codec, 12, keyAt: 8);
        using var decoder = new VideoDecoder(codec);
        using var undamaged = new VideoDecoder(codec);
        var picture = new byte[512 * 512];
        var expected = new byte[512 * 512];
        var statuses = new List<DecodeStatus>();
        for (int i = 0; i < stream.Count; i++)
        {
            var data = i == 3 ? stream[i].AsSpan(0, 5) : stream[i];
            statuses.Add(decoder.Decode(data, picture).Status);
            Assert.True(undamaged.Decode(stream[i], expected).HasPicture);
        }
        Assert.Equal(DecodeStatus.Picture, statuses[2]);
        Assert.Equal(DecodeStatus.Rejected, statuses[3]);
        Assert.All(statuses[4..8], s => Assert.Equal(DecodeStatus.AwaitingKeyFrame, s));
        Assert.All(statuses[8..], s => Assert.Equal(DecodeStatus.Picture, s));
        Assert.Equal(expected, picture);
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void Frames_with_random_damage_never_throw(VideoCodec codec)
    {
        var stream = Encode(codec, 10);
        using var decoder = new VideoDecoder(codec);
        var picture = new byte[512 * 512];
        var random = new Random(11);
        for (int round = 0; round < 200; round++)
        {
            var frame = (byte[])stream[round % stream.Count].Clone();
            int damage = random.Next(1, 16);
            for (int d = 0; d < damage; d++) frame[random.Next(frame.Length)] = (byte)random.Next(256);
            int length = random.Next(2) == 0 ? frame.Length : random.Next(1, frame.Length);
            var result = decoder.Decode(frame.AsSpan(0, length), picture);
            Assert.True(result.Status != DecodeStatus.Rejected || result.Reason is { Length: > 0 });
        }
        var key = Encode(codec, 1)[0];
        var recovered = decoder.Decode(key, picture);
        Assert.True(recovered.HasPicture, recovered.Reason);
    }

    private static List<byte[]> Encode(VideoCodec codec, int count, int keyAt = -1)
    {
        var frames = RoundTripTests.Frames512.Value;
        using var encoder = new VideoEncoder(new VideoEncoderSettings { Codec = codec, TargetKbps = 600 });
        var stream = new List<byte[]>();
        for (int i = 0; i < count; i++)
        {
            if (i == keyAt) encoder.RequestKeyFrame();
            var frame = encoder.Encode(frames.Display[i % frames.Count]);
            stream.Add(frame.Span.ToArray());
            frame.Release();
        }
        return stream;
    }
}
