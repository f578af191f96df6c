using CathLab.Processing.Pipeline;

namespace CathLab.Processing.Cpu;

/// <summary>Noise-aware 3x3 sigma filter, mirroring Kernels/display.cl's smooth kernel.</summary>
internal sealed class SmoothingPass(int width, int height, ushort[] source, ushort[] target) : BandJob
{
    private ChainConstants _k;

    public void Prepare(in ChainConstants k) => _k = k;

    public override void Execute(int band, int y0, int y1)
    {
        float slope = _k.NoiseSlope, intercept = _k.NoiseIntercept, k2 = _k.SmoothThresholdSquared;
        for (int y = y0; y < y1; y++)
        {
            int up = Math.Max(y - 1, 0) * width, mid = y * width, down = Math.Min(y + 1, height - 1) * width;
            for (int x = 0; x < width; x++)
            {
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
        }
    }

    private static void Accumulate(int value, int centre, float limit, ref int sum, ref int count)
    {
        float d = value - centre;
        if (d * d <= limit) { sum += value; count++; }
    }
}
