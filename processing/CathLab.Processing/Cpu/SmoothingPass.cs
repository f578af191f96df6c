using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using CathLab.Processing.Pipeline;

namespace CathLab.Processing.Cpu;

/// <summary>Noise-aware 3x3 sigma filter, mirroring Kernels/display.cl's smooth kernel: 8 pixels per step
/// inside the frame, one at a time in the first and last columns (where neighbours are replicated).</summary>
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
            for (; x + 8 <= width - 1; x += 8) Vector(up, mid, down, x);
            for (; x < width; x++) Scalar(up, mid, down, x);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Load8(ushort[] source, int index)
    {
        var v = Vector128.LoadUnsafe(ref source[0], (nuint)index);
        return Vector256.Create(Vector128.WidenLower(v), Vector128.WidenUpper(v)).AsInt32();
    }

    private void Vector(int up, int mid, int down, int x)
    {
        var centre = Load8(source, mid + x);
        var centreF = Vector256.ConvertToSingle(centre);
        var limit = Vector256.Create(_k.SmoothThresholdSquared) * (Vector256.Create(_k.NoiseSlope) * centreF + Vector256.Create(_k.NoiseIntercept));
        var sum = Vector256<int>.Zero;
        var count = Vector256<int>.Zero;
        Accumulate(Load8(source, up + x - 1), centre, limit, ref sum, ref count);
        Accumulate(Load8(source, up + x), centre, limit, ref sum, ref count);
        Accumulate(Load8(source, up + x + 1), centre, limit, ref sum, ref count);
        Accumulate(Load8(source, mid + x - 1), centre, limit, ref sum, ref count);
        Accumulate(centre, centre, limit, ref sum, ref count);
        Accumulate(Load8(source, mid + x + 1), centre, limit, ref sum, ref count);
        Accumulate(Load8(source, down + x - 1), centre, limit, ref sum, ref count);
        Accumulate(Load8(source, down + x), centre, limit, ref sum, ref count);
        Accumulate(Load8(source, down + x + 1), centre, limit, ref sum, ref count);
        var quotient = Vector256.ConvertToSingle(sum + sum + count) / Vector256.ConvertToSingle(count + count);
        var result = Vector256.ConvertToInt32(quotient).AsUInt32();
        Vector128.Narrow(result.GetLower(), result.GetUpper()).StoreUnsafe(ref target[0], (nuint)(mid + x));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Accumulate(Vector256<int> value, Vector256<int> centre, Vector256<float> limit, ref Vector256<int> sum, ref Vector256<int> count)
    {
        var d = Vector256.ConvertToSingle(value - centre);
        var take = Vector256.LessThanOrEqual(d * d, limit).AsInt32();
        sum += value & take;
        count -= take;
    }

    private void Scalar(int up, int mid, int down, int x)
    {
        float slope = _k.NoiseSlope, intercept = _k.NoiseIntercept, k2 = _k.SmoothThresholdSquared;
        int centre = source[mid + x];
        float limit = k2 * (slope * centre + intercept);
        int l = Math.Max(x - 1, 0), r = Math.Min(x + 1, width - 1);
        int sum = 0, count = 0;
        Accumulate(source[up + l], centre, limit, ref sum, ref count);
        Accumulate(source[up + x], centre, limit, ref sum, ref count);
        Accumulate(source[up + r], centre, limit, ref sum, ref count);
        Accumulate(source[mid + l], centre, limit, ref sum, ref count);
        Accumulate(centre, centre, limit, ref sum, ref count);
        Accumulate(source[mid + r], centre, limit, ref sum, ref count);
        Accumulate(source[down + l], centre, limit, ref sum, ref count);
        Accumulate(source[down + x], centre, limit, ref sum, ref count);
        Accumulate(source[down + r], centre, limit, ref sum, ref count);
        target[mid + x] = (ushort)((2 * sum + count) / (2 * count));
    }

    private static void Accumulate(int value, int centre, float limit, ref int sum, ref int count)
    {
        float d = value - centre;
        if (d * d <= limit) { sum += value; count++; }
    }
}
