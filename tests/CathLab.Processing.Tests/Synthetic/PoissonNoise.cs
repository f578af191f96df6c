namespace CathLab.Processing.Tests.Synthetic;

/// <summary>Poisson samples from a seeded <see cref="Random"/>: Knuth's product method below a mean of 10,
/// Hörmann's transformed rejection (PTRS, 1993) above it. Exact Poisson, not a normal approximation.</summary>
internal static class PoissonNoise
{
    public static int Sample(Random rng, double mean)
    {
        if (mean <= 0) return 0;
        if (mean < 10)
        {
            double limit = Math.Exp(-mean), product = rng.NextDouble();
            int k = 0;
            while (product > limit) { product *= rng.NextDouble(); k++; }
            return k;
        }
        double slam = Math.Sqrt(mean), logMean = Math.Log(mean);
        double b = 0.931 + 2.53 * slam, a = -0.059 + 0.02483 * b;
        double inverseAlpha = 1.1239 + 1.1328 / (b - 3.4), vr = 0.9277 - 3.6224 / (b - 2);
        while (true)
        {
            double u = rng.NextDouble() - 0.5, v = rng.NextDouble(), us = 0.5 - Math.Abs(u);
            int k = (int)Math.Floor((2 * a / us + b) * u + mean + 0.43);
            if (us >= 0.07 && v <= vr) return k;
            if (k < 0 || (us < 0.013 && v > us)) continue;
            if (Math.Log(v) + Math.Log(inverseAlpha) - Math.Log(a / (us * us) + b) <= -mean + k * logMean - LogFactorial(k)) return k;
        }
    }

    private static double LogFactorial(int k)
    {
        if (k < 20)
        {
            double sum = 0;
            for (int i = 2; i <= k; i++) sum += Math.Log(i);
            return sum;
        }
        double n = k;
        return n * Math.Log(n) - n + 0.5 * Math.Log(2 * Math.PI * n) + 1 / (12 * n) - 1 / (360 * n * n * n);
    }
}
