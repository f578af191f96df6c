namespace CathLab.Processing.Subtraction;

/// <summary>Shift applied to the mask before subtraction, in pixels, integer and sub-pixel:
/// the shifted mask is <c>M'(x, y) = M(x - Dx, y - Dy)</c>, sampled bilinearly, edges replicated.</summary>
public readonly record struct PixelShift(double Dx, double Dy)
{
    public const double Limit = 64;

    public static PixelShift None => default;

    public void Validate()
    {
        if (!double.IsFinite(Dx) || !double.IsFinite(Dy) || Math.Abs(Dx) > Limit || Math.Abs(Dy) > Limit)
            throw new ArgumentOutOfRangeException(nameof(PixelShift), this, $"pixel shift must be finite and within +/-{Limit} pixels");
    }

    public override string ToString() => $"({Dx:F3}, {Dy:F3})";
}
