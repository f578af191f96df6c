using CathLab.Sims.Detector;

namespace CathLab.Sims.Tests.Detector;

/// <summary>Mean and variance over a square region, leaving out the detector's known defects.</summary>
internal static class RoiStatistics
{
    public static double Mean(ReadOnlySpan<ushort> pixels, DetectorCalibrationMaps maps, int x0, int y0, int size)
    {
        double sum = 0;
        int n = 0;
        foreach (int i in Indices(maps, x0, y0, size))
        {
            sum += pixels[i];
            n++;
        }
        return sum / n;
    }

    /// <summary>Temporal noise variance from two frames of the same scene: var(a − b) / 2.</summary>
    public static double TemporalVariance(ReadOnlySpan<ushort> a, ReadOnlySpan<ushort> b, DetectorCalibrationMaps maps, int x0, int y0, int size)
    {
        double sum = 0;
        double sumSquares = 0;
        int n = 0;
        foreach (int i in Indices(maps, x0, y0, size))
        {
            double d = a[i] - (double)b[i];
            sum += d;
            sumSquares += d * d;
            n++;
        }
        double mean = sum / n;
        return (sumSquares / n - mean * mean) / 2;
    }

    private static IEnumerable<int> Indices(DetectorCalibrationMaps maps, int x0, int y0, int size)
    {
        for (int y = y0; y < y0 + size; y++)
        {
            if (y == maps.WeakRow)
            {
                continue;
            }
            for (int x = x0; x < x0 + size; x++)
            {
                int i = y * maps.Side + x;
                if (x != maps.DeadColumn && maps.GainLsbPerQuantum[i] > 0)
                {
                    yield return i;
                }
            }
        }
    }
}
