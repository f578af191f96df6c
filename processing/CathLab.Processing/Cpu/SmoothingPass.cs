using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using CathLab.Processing.Pipeline;

namespace CathLab.Processing.Cpu;

/// <summary>Noise-aware 3x3 sigma filter, mirroring Kernels/display.cl's smooth kernel: a neighbour counts when
/// |v - centre| &lt;= t, t = (int)sqrt(k^2 (slope centre + intercept)), the integer threshold making the test
/// a 16-bit compare. 16 pixels per step inside the frame (the last step overlaps the one before), one at a
/// time in the first and last columns, where neighbours are replicated.</summary>
/// <remarks>The vector path divides in float and truncates: (2 sum + n) / (2 n) with n ≤ 9 is at least 1/18
/// away from the next integer unless exact, far more than float's error at these magnitudes, so it equals
/// the integer division.</remarks>
internal sealed class SmoothingPass(int width, int height, ushort[] source, ushort[] target) : BandJob
{
    private ChainConstants _k;

    public void Prepare(in ChainConstants k) => _k = k;

    public override void Execute(int band, int y0, int y1) => Rows(y0, y1);

    public void Rows(int y0, int y1)
    {
        for (int y = y0; y < y1; y++)
        {
            int up = Math.Max(y - 1, 0) * width, mid = y * width, down = Math.Min(y + 1, height - 1) * width;
            Scalar(up, mid, down, 0);
            int x = 1;
            for (; x + 16 <= width - 1; x += 16) Vector(up, mid, down, x);
            if (x < width - 1) Vector(up, mid, down, width - 17);
            Scalar(up, mid, down, width - 1);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector256<int> Threshold(Vector256<int> centre)
    {
        var limit = Vector256.Create(_k.SmoothThresholdSquared) * (Vector256.Create(_k.NoiseSlope) * Vector256.ConvertToSingle(centre) + Vector256.Create(_k.NoiseIntercept));
        return Vector256.Min(Vector256.ConvertToInt32Native(Vector256.Sqrt(limit)), Vector256.Create(65535));
    }

    private void Vector(int up, int mid, int down, int x)
    {
        ref ushort s = ref source[0];
        var centre = Vector256.LoadUnsafe(ref s, (nuint)(mid + x));
        var (cl, ch) = Vector256.Widen(centre);
        var t = Vector256.Narrow(Threshold(cl.AsInt32()).AsUInt32(), Threshold(ch.AsInt32()).AsUInt32());
        var sumLo = Vector256<uint>.Zero;
        var sumHi = Vector256<uint>.Zero;
        var count = Vector256<ushort>.Zero;
        Accumulate(Vector256.LoadUnsafe(ref s, (nuint)(up + x - 1)), centre, t, ref sumLo, ref sumHi, ref count);
        Accumulate(Vector256.LoadUnsafe(ref s, (nuint)(up + x)), centre, t, ref sumLo, ref sumHi, ref count);
        Accumulate(Vector256.LoadUnsafe(ref s, (nuint)(up + x + 1)), centre, t, ref sumLo, ref sumHi, ref count);
        Accumulate(Vector256.LoadUnsafe(ref s, (nuint)(mid + x - 1)), centre, t, ref sumLo, ref sumHi, ref count);
        Accumulate(centre, centre, t, ref sumLo, ref sumHi, ref count);
        Accumulate(Vector256.LoadUnsafe(ref s, (nuint)(mid + x + 1)), centre, t, ref sumLo, ref sumHi, ref count);
        Accumulate(Vector256.LoadUnsafe(ref s, (nuint)(down + x - 1)), centre, t, ref sumLo, ref sumHi, ref count);
        Accumulate(Vector256.LoadUnsafe(ref s, (nuint)(down + x)), centre, t, ref sumLo, ref sumHi, ref count);
        Accumulate(Vector256.LoadUnsafe(ref s, (nuint)(down + x + 1)), centre, t, ref sumLo, ref sumHi, ref count);
        var (nl, nh) = Vector256.Widen(count);
        var lo = Mean(sumLo.AsInt32(), nl.AsInt32());
        var hi = Mean(sumHi.AsInt32(), nh.AsInt32());
        Vector256.Narrow(lo, hi).StoreUnsafe(ref target[0], (nuint)(mid + x));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> Mean(Vector256<int> sum, Vector256<int> count)
    {
        var quotient = Vector256.ConvertToSingle(sum + sum + count) / Vector256.ConvertToSingle(count + count);
        return Vector256.ConvertToInt32Native(quotient).AsUInt32();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Accumulate(Vector256<ushort> value, Vector256<ushort> centre, Vector256<ushort> t,
        ref Vector256<uint> sumLo, ref Vector256<uint> sumHi, ref Vector256<ushort> count)
    {
        var difference = Vector256.Max(value, centre) - Vector256.Min(value, centre);
        var take = Vector256.Equals(Vector256.Min(difference, t), difference);
        var (lo, hi) = Vector256.Widen(value & take);
        sumLo += lo;
        sumHi += hi;
        count -= take;
    }

    private void Scalar(int up, int mid, int down, int x)
    {
        float slope = _k.NoiseSlope, intercept = _k.NoiseIntercept, k2 = _k.SmoothThresholdSquared;
        int centre = source[mid + x];
        int t = (int)MathF.Sqrt(k2 * (slope * centre + intercept));
        int l = Math.Max(x - 1, 0), r = Math.Min(x + 1, width - 1);
        int sum = 0, count = 0;
        Accumulate(source[up + l], centre, t, ref sum, ref count);
        Accumulate(source[up + x], centre, t, ref sum, ref count);
        Accumulate(source[up + r], centre, t, ref sum, ref count);
        Accumulate(source[mid + l], centre, t, ref sum, ref count);
        Accumulate(centre, centre, t, ref sum, ref count);
        Accumulate(source[mid + r], centre, t, ref sum, ref count);
        Accumulate(source[down + l], centre, t, ref sum, ref count);
        Accumulate(source[down + x], centre, t, ref sum, ref count);
        Accumulate(source[down + r], centre, t, ref sum, ref count);
        target[mid + x] = (ushort)((2 * sum + count) / (2 * count));
    }

    private static void Accumulate(int value, int centre, int t, ref int sum, ref int count)
    {
        if (Math.Abs(value - centre) <= t) { sum += value; count++; }
    }
}
