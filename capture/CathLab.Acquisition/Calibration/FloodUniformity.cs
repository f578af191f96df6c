namespace CathLab.Acquisition.Calibration;

/// <summary>Large-area non-uniformity of a flood frame: the frame is cut into 16 × 16 blocks (64 pixels square at
/// 1024, 32 at 512), and the figure is the standard deviation of the block means over their mean, in percent (rms), with
/// the spread (max − min) / mean beside it. Blocks average the quantum noise away (a 64 × 64 block of a 4 % noisy
/// frame has 0.06 % noise), so what remains is the gain pattern, vignetting and lines that correction must remove.</summary>
public readonly record struct FloodUniformity(double RmsPercent, double RangePercent, double Mean)
{
    public const int BlocksPerSide = 16;

    /// <summary>Measures <paramref name="values"/> (side × side) minus <paramref name="offset"/>.</summary>
    public static FloodUniformity Measure(ReadOnlySpan<ushort> values, int side, double offset = 0)
    {
        Span<double> blocks = stackalloc double[BlocksPerSide * BlocksPerSide];
        int block = side / BlocksPerSide;
        for (int y = 0; y < side; y++)
        {
            var row = values.Slice(y * side, side);
            int by = y / block * BlocksPerSide;
            for (int bx = 0; bx < BlocksPerSide; bx++)
            {
                long sum = 0;
                foreach (ushort v in row.Slice(bx * block, block)) sum += v;
                blocks[by + bx] += sum;
            }
        }
        double pixels = (double)block * block;
        for (int i = 0; i < blocks.Length; i++) blocks[i] = blocks[i] / pixels - offset;
        return From(blocks);
    }

    /// <summary>The figures of block means already computed.</summary>
    public static FloodUniformity From(ReadOnlySpan<double> blockMeans)
    {
        double mean = 0, min = double.MaxValue, max = double.MinValue;
        foreach (double b in blockMeans)
        {
            mean += b;
            min = Math.Min(min, b);
            max = Math.Max(max, b);
        }
        mean /= blockMeans.Length;
        double variance = 0;
        foreach (double b in blockMeans) variance += (b - mean) * (b - mean);
        variance /= blockMeans.Length - 1;
        if (!(mean > 0)) return new FloodUniformity(double.PositiveInfinity, double.PositiveInfinity, mean);
        return new FloodUniformity(100 * Math.Sqrt(variance) / mean, 100 * (max - min) / mean, mean);
    }

    public override string ToString() => $"{RmsPercent:0.00} % rms, {RangePercent:0.0} % range";
}
