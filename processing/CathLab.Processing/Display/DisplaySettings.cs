namespace CathLab.Processing.Display;

/// <summary>Window/level to 8 bits: <c>out = clamp(round((v - (Center - Width / 2)) * 255 / Width), 0, 255)</c>;
/// or a 16-bit LUT; and a box downscale by 1, 2 or 4 of the 8-bit frame for low-bandwidth viewers.</summary>
public sealed record DisplaySettings
{
    public double WindowCenter { get; init; } = 8192;

    public double WindowWidth { get; init; } = 16384;

    public OutputFormat Format { get; init; } = OutputFormat.Gray8;

    /// <summary>Required with <see cref="OutputFormat.Lut16"/>: 65536 entries.</summary>
    public ushort[]? Lut { get; init; }

    public int DownscaleFactor { get; init; } = 1;

    public void Validate()
    {
        if (!(WindowWidth >= 1 && WindowWidth <= 65536)) throw new ArgumentOutOfRangeException(nameof(WindowWidth), WindowWidth, "window width must be in [1, 65536]");
        if (!(WindowCenter >= -65536 && WindowCenter <= 131072)) throw new ArgumentOutOfRangeException(nameof(WindowCenter), WindowCenter, "window center must be in [-65536, 131072]");
        if (DownscaleFactor is not (1 or 2 or 4)) throw new ArgumentOutOfRangeException(nameof(DownscaleFactor), DownscaleFactor, "downscale factor must be 1, 2 or 4");
        if (Format == OutputFormat.Lut16 && Lut is not { Length: 65536 })
            throw new ArgumentException("the 16-bit LUT output needs a LUT of exactly 65536 entries", nameof(Lut));
        if (Format == OutputFormat.Lut16 && DownscaleFactor != 1)
            throw new ArgumentException("the downscale applies to 8-bit output only", nameof(DownscaleFactor));
    }

    internal float Low => (float)(WindowCenter - WindowWidth / 2);

    internal float Scale => (float)(255.0 / WindowWidth);
}
