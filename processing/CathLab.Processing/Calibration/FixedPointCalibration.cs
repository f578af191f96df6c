namespace CathLab.Processing.Calibration;

/// <summary>The calibration as the hot path reads it: 16-bit dark and gain tables and integer arithmetic,
/// so that the per-pixel pass moves 4 bytes of calibration instead of 8 and the CPU and OpenCL paths
/// compute the same integers.
/// <code>cQ = min((max(min(raw, max) &lt;&lt; F - DarkQ, 0) * GainQ + 2^(S-1)) &gt;&gt; S, max &lt;&lt; F)</code>
/// is the corrected value with F = 16 - bits stored fractional bits (2 for 14-bit frames), S = <see cref="GainShift"/>.</summary>
/// <remarks>Dark is kept to 1/2^F LSB; gain to 2^-S with S as large as the largest good pixel's gain allows
/// (15 for gains up to 2), a relative error of at most 2^-(S+1), 0.25 LSB at the top of a 14-bit range.
/// Defective pixels' gains are clamped: their values are replaced by interpolation anyway.</remarks>
internal sealed class FixedPointCalibration
{
    private FixedPointCalibration(int fractionBits, int gainShift, int maxQ, ushort[] dark, ushort[] gain)
    {
        FractionBits = fractionBits;
        GainShift = gainShift;
        MaxQ = maxQ;
        Dark = dark;
        Gain = gain;
    }

    /// <summary>F: fractional bits of corrected values, dark and the recursive filter's state.</summary>
    public int FractionBits { get; }

    /// <summary>S: fractional bits of <see cref="Gain"/>, in [0, 16].</summary>
    public int GainShift { get; }

    /// <summary>The largest corrected value in Q(F): max value &lt;&lt; F.</summary>
    public int MaxQ { get; }

    /// <summary>Dark per pixel in Q(F), in [0, <see cref="MaxQ"/>].</summary>
    public ushort[] Dark { get; }

    /// <summary>Gain per pixel in Q(S).</summary>
    public ushort[] Gain { get; }

    public static FixedPointCalibration From(CalibrationData calibration)
    {
        var g = calibration.Geometry;
        int f = 16 - g.BitsStored;
        int maxQ = g.MaxValue << f;
        int n = g.PixelCount;
        var defects = calibration.Defects;
        double largest = 0;
        for (int i = 0; i < n; i++)
            if (!defects.IsDefective(i % g.Width, i / g.Width)) largest = Math.Max(largest, calibration.Gain[i]);
        int shift = 16;
        while (shift > 0 && Math.Round(largest * (1 << shift)) > ushort.MaxValue) shift--;
        var dark = new ushort[n];
        var gain = new ushort[n];
        double scale = 1 << f;
        for (int i = 0; i < n; i++)
        {
            dark[i] = (ushort)Math.Clamp(Math.Round(calibration.Dark[i] * scale), 0, maxQ);
            gain[i] = (ushort)Math.Clamp(Math.Round(calibration.Gain[i] * (1 << shift)), 0, ushort.MaxValue);
        }
        return new FixedPointCalibration(f, shift, maxQ, dark, gain);
    }

    /// <summary>One pixel's corrected value in Q(F), exactly as the SIMD and OpenCL passes compute it.</summary>
    public int Corrected(ushort raw, int i)
    {
        int r = Math.Min((int)raw, MaxQ >> FractionBits) << FractionBits;
        uint offset = (uint)Math.Max(r - Dark[i], 0);
        uint product = offset * Gain[i] + (GainShift == 0 ? 0u : 1u << (GainShift - 1));
        return (int)Math.Min(product >> GainShift, (uint)MaxQ);
    }

    /// <summary>Q(F) to an integer LSB value, rounding half up.</summary>
    public int Round(int q) => (q + ((1 << FractionBits) >> 1)) >> FractionBits;
}
