namespace CathLab.Video;

/// <summary>One encoding: codec, size, rate and the real-time settings (no look-ahead, error resilient, bounded
/// key-frame interval). Width and height are even (I420 halves them for chroma).</summary>
public sealed record VideoEncoderSettings
{
    public VideoCodec Codec { get; init; } = VideoCodec.Vp8;

    public int Width { get; init; } = 512;

    public int Height { get; init; } = 512;

    public int FramesPerSecond { get; init; } = 15;

    public int TargetKbps { get; init; } = 200;

    public RateControl RateControl { get; init; } = RateControl.Constant;

    /// <summary>At most this many frames between key frames, so a picture lost on a lossy path is repaired in bounded time.</summary>
    public int KeyFrameInterval { get; init; } = 60;

    /// <summary>libvpx's speed/quality trade in real-time mode (VP8: 0..16, VP9: 5..9); null takes the codec's default here.</summary>
    public int? CpuUsed { get; init; }

    /// <summary>Encoder threads; 1 keeps an encoding on one core beside acquisition.</summary>
    public int Threads { get; init; } = 1;

    public int EffectiveCpuUsed => CpuUsed ?? (Codec == VideoCodec.Vp8 ? 10 : 8);

    public void Validate()
    {
        if (Width <= 0 || Height <= 0 || Width % 2 != 0 || Height % 2 != 0)
            throw new ArgumentOutOfRangeException(nameof(Width), $"{Width}×{Height}: the size must be positive and even");
        if (FramesPerSecond is < 1 or > 60) throw new ArgumentOutOfRangeException(nameof(FramesPerSecond), FramesPerSecond, "1..60 fps");
        if (TargetKbps is < 8 or > 50_000) throw new ArgumentOutOfRangeException(nameof(TargetKbps), TargetKbps, "8..50000 kbit/s");
        if (KeyFrameInterval is < 1 or > 9999) throw new ArgumentOutOfRangeException(nameof(KeyFrameInterval), KeyFrameInterval, "1..9999 frames");
        if (Threads is < 1 or > 16) throw new ArgumentOutOfRangeException(nameof(Threads), Threads, "1..16 threads");
        int cpu = EffectiveCpuUsed;
        if (Codec == VideoCodec.Vp8 ? cpu is < 0 or > 16 : cpu is < 5 or > 9)
            throw new ArgumentOutOfRangeException(nameof(CpuUsed), cpu, Codec == VideoCodec.Vp8 ? "VP8 real-time speed is 0..16" : "VP9 real-time speed is 5..9");
    }
}
