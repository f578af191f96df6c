namespace CathLab.Bench.Processing;

/// <summary>Raw frames of a fluoro run for the benchmarks: static anatomy, a contrast-filled vessel and a
/// catheter that move a few pixels per frame (cardiac motion), and Gaussian quantum noise with the variance
/// of the pipeline's default noise model (the level plus 4 LSB^2 of read noise), through the same dark and
/// gain the benchmark's calibration removes.</summary>
internal static class FluoroSequence
{
    public static ushort[][] Make(int side, int frames, float[] dark, float[] gain, Random rng)
    {
        var sequence = new ushort[frames][];
        for (int f = 0; f < frames; f++)
        {
            var raw = new ushort[side * side];
            double phase = 2 * Math.PI * f / frames;
            for (int y = 0; y < side; y++)
            {
                double vesselX = side * 0.45 + 60 * Math.Sin(y / 140.0 + phase);
                double catheterX = side * 0.6 + 25 * Math.Sin(y / 200.0 + phase);
                for (int x = 0; x < side; x++)
                {
                    double level = 3500 + 1500 * Math.Sin(x / 90.0) * Math.Cos(y / 70.0);
                    if (Math.Abs(x - vesselX) < 7) level -= 900;
                    if (Math.Abs(x - catheterX) < 2) level -= 1600;
                    double noisy = level + Math.Sqrt(level + 4) * Gaussian(rng);
                    int i = y * side + x;
                    // The calibration computes (raw - dark) * gain.
                    raw[i] = (ushort)Math.Clamp(Math.Round(noisy / gain[i] + dark[i]), 0, 16383);
                }
            }
            sequence[f] = raw;
        }
        return sequence;
    }

    private static double Gaussian(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
