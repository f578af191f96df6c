using CathLab.Video;

namespace CathLab.LiveFeed.Video;

/// <summary>One rung of the video ladder: a VP8 encoding of the display frame at a size, bit rate and frame rate.
/// The size divides the display frame evenly (the picture is box-averaged down to it).</summary>
public sealed record VideoEncodingOption
{
    public static readonly IReadOnlyList<VideoEncodingOption> Defaults =
    [
        new() { Size = 256, TargetKbps = 40, FramesPerSecond = 7.5 },
        new() { Size = 512, TargetKbps = 160, FramesPerSecond = 15 },
        new() { Size = 1024, TargetKbps = 1500, FramesPerSecond = 30 },
    ];

    /// <summary>Width and height of the encoded picture.</summary>
    public int Size { get; init; } = 512;

    public int TargetKbps { get; init; } = 200;

    /// <summary>Pictures per second at most; the display frames in between are skipped by this encoding.</summary>
    public double FramesPerSecond { get; init; } = 15;

    /// <summary>Longest time between key frames, so a lost picture is repaired without a request.</summary>
    public TimeSpan KeyFrameInterval { get; init; } = TimeSpan.FromSeconds(2);

    public TimeSpan FrameInterval => TimeSpan.FromSeconds(1 / FramesPerSecond);

    public VideoEncoderSettings ToEncoderSettings() => new()
    {
        Codec = VideoCodec.Vp8,
        Width = Size,
        Height = Size,
        FramesPerSecond = (int)Math.Ceiling(FramesPerSecond),
        TargetKbps = TargetKbps,
        KeyFrameInterval = Math.Max(1, (int)Math.Round(KeyFrameInterval.TotalSeconds * FramesPerSecond)),
        Threads = 1,
    };

    public void Validate()
    {
        if (Size is < 16 or > 4096 || Size % 16 != 0) throw new ArgumentOutOfRangeException(nameof(Size), Size, "a multiple of 16 in [16, 4096]");
        if (FramesPerSecond is < 1 or > 60) throw new ArgumentOutOfRangeException(nameof(FramesPerSecond), FramesPerSecond, "must be in [1, 60]");
        if (KeyFrameInterval <= TimeSpan.Zero || KeyFrameInterval > TimeSpan.FromSeconds(10))
            throw new ArgumentOutOfRangeException(nameof(KeyFrameInterval), KeyFrameInterval, "must be in (0, 10 s]");
        ToEncoderSettings().Validate();
    }

    /// <summary>A ladder is 1..8 encodings, each validated, strictly growing in bit rate (the adaptation climbs it).</summary>
    public static void ValidateLadder(IReadOnlyList<VideoEncodingOption> ladder)
    {
        if (ladder.Count is < 1 or > 8) throw new ArgumentOutOfRangeException(nameof(ladder), ladder.Count, "1..8 video encodings");
        for (int i = 0; i < ladder.Count; i++)
        {
            ladder[i].Validate();
            if (i > 0 && ladder[i].TargetKbps <= ladder[i - 1].TargetKbps)
                throw new ArgumentException($"video encoding {i} ({ladder[i].TargetKbps} kbit/s) must need more than encoding {i - 1}", nameof(ladder));
        }
    }
}
