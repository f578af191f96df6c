using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace CathLab.Processing.Subtraction;

/// <summary>The log transform <c>L(v) = ln(max(v, 1))</c> of a 16-bit value, as a float polynomial that 512-bit
/// SIMD evaluates faster than it gathers table entries, and as the table of its 65536 values.</summary>
/// <remarks>The scalar and the vector function perform the same float operations in the same order (plain
/// multiplies and adds, one correctly rounded divide, no fused multiply-add), so every lane equals
/// <see cref="Table"/> bit for bit; the table is built from the scalar function, so whoever looks it up (the
/// mask builders, OpenCL) sees the values the CPU pass computes. Within 1 ulp of ln (tested over every value).
/// <para>x = 2^e m with m in [sqrt(1/2), sqrt(2)), taken from the float's bits; with u = 2 (m − 1) / (m + 1),
/// ln m = 2 artanh(u / 2) = u + u w (1/12 + w (1/80 + w (1/448 + w / 2304))), w = u²: |u| ≤ 0.344, so the
/// first omitted term is below 2^-28 u. m − 1 and 2 + (m − 1) are exact for 16-bit integers.</para></remarks>
public static class LogTransform
{
    public const int TableLength = 65536;

    /// <summary>Bits of the float just below sqrt(1/2): subtracting them moves the exponent up by one exactly
    /// when the mantissa is at least sqrt(2), and adding them back to the 23 mantissa bits gives m.</summary>
    private const int ReductionBits = 0x3F3504F3;
    private const int MantissaMask = 0x007FFFFF;

    /// <summary>ln 2 split so that e · Ln2High is exact (16 significant bits, e ≤ 17).</summary>
    private const float Ln2High = 45426f / 65536f;
    private const float Ln2Low = 1.4286068e-06f;

    private const float C3 = 1f / 12, C5 = 1f / 80, C7 = 1f / 448, C9 = 1f / 2304;

    private static readonly Lazy<float[]> Shared = new(Build);

    /// <summary><see cref="Ln(int)"/> of every value 0..65535.</summary>
    public static float[] Table => Shared.Value;

    /// <summary>ln(max(value, 1)) for a value in [0, 65535].</summary>
    public static float Ln(int value)
    {
        float x = Math.Max(value, 1);
        int t = BitConverter.SingleToInt32Bits(x) - ReductionBits;
        float e = t >> 23;
        float f = BitConverter.Int32BitsToSingle((t & MantissaMask) + ReductionBits) - 1f;
        float u = (f + f) / (2f + f);
        float w = u * u;
        float p = C3 + w * (C5 + w * (C7 + w * C9));
        return e * Ln2High + (u + (u * w * p + e * Ln2Low));
    }

    /// <summary><see cref="Ln(int)"/> of each lane, bit for bit.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> Ln(Vector512<int> value)
    {
        var x = Vector512.ConvertToSingle(Vector512.Max(value, Vector512<int>.One));
        var t = x.AsInt32() - Vector512.Create(ReductionBits);
        var e = Vector512.ConvertToSingle(Vector512.ShiftRightArithmetic(t, 23));
        var f = ((t & Vector512.Create(MantissaMask)) + Vector512.Create(ReductionBits)).AsSingle() - Vector512<float>.One;
        var u = (f + f) / (Vector512.Create(2f) + f);
        var w = u * u;
        var p = Vector512.Create(C3) + w * (Vector512.Create(C5) + w * (Vector512.Create(C7) + w * Vector512.Create(C9)));
        return e * Vector512.Create(Ln2High) + (u + (u * w * p + e * Vector512.Create(Ln2Low)));
    }

    private static float[] Build()
    {
        var table = new float[TableLength];
        for (int v = 0; v < TableLength; v++) table[v] = Ln(v);
        return table;
    }
}
