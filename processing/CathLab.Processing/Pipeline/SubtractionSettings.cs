using CathLab.Processing.Subtraction;

namespace CathLab.Processing.Pipeline;

/// <summary>DSA: <c>out = Offset + Gain * (L - M'(x, y))</c>, L the log of the calibrated frame and M' the
/// AVG_SUB mask over run frames <see cref="MaskFirst"/>..<see cref="MaskLast"/>, shifted by <see cref="Shift"/>.</summary>
public sealed record SubtractionSettings
{
    public int MaskFirst { get; init; }

    public int MaskLast { get; init; } = 1;

    public PixelShift Shift { get; init; }

    /// <summary>Output LSB per unit of log attenuation, (0, 65535].</summary>
    public double Gain { get; init; } = 2000;

    /// <summary>Output value of zero difference; null puts it mid-range.</summary>
    public double? Offset { get; init; }

    public void Validate(int maxValue)
    {
        if (MaskFirst < 0 || MaskLast < MaskFirst)
            throw new ArgumentOutOfRangeException(nameof(MaskFirst), $"mask frames {MaskFirst}..{MaskLast} must satisfy 0 <= first <= last");
        Shift.Validate();
        if (!(Gain > 0 && Gain <= 65535)) throw new ArgumentOutOfRangeException(nameof(Gain), Gain, "subtraction gain must be in (0, 65535]");
        if (Offset is { } o && !(o >= 0 && o <= maxValue)) throw new ArgumentOutOfRangeException(nameof(Offset), o, $"subtraction offset must be in [0, {maxValue}]");
    }
}
