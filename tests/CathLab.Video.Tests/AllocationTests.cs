namespace CathLab.Video.Tests;

/// <summary>The encode path in a steady stream allocates nothing on the managed heap: the picture lives in native
/// memory, and compressed frames go into pooled buffers that have grown to the stream's frame sizes.</summary>
public sealed class AllocationTests
{
    [Theory]
    [InlineData(VideoCodec.Vp8)]
    [InlineData(VideoCodec.Vp9)]
    public void Steady_state_encoding_allocates_nothing(VideoCodec codec)
    {
        var frames = RoundTripTests.Frames512.Value;
        using var encoder = new VideoEncoder(new VideoEncoderSettings { Codec = codec, KeyFrameInterval = 20 });
        // Warm-up: three key-frame intervals, so the pooled buffers have held a key frame's size.
        for (int i = 0; i < 60; i++) encoder.Encode(frames.Display[i % frames.Count]).Release();
        var perFrame = new long[40];
        for (int i = 0; i < perFrame.Length; i++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            var frame = encoder.Encode(frames.Display[i % frames.Count]);
            if (i == 10) encoder.RequestKeyFrame();
            frame.Release();
            perFrame[i] = GC.GetAllocatedBytesForCurrentThread() - before;
        }
        Assert.True(perFrame.All(b => b == 0), $"bytes allocated per frame: {string.Join(' ', perFrame)}");
        Assert.Equal(1, encoder.Pool.Created);
    }
}
