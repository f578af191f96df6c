using CathLab.Sims.Physics;

namespace CathLab.Sims.Detector;

/// <summary>The detector's fixed pattern for one readout mode: per-pixel gain (LSB per detected
/// quantum, with non-uniformity and vignetting), per-pixel dark offset (with column banding), and
/// defects baked in: stuck pixels (dead at 0 or hot at full scale), one dead column, one weak row.</summary>
public sealed class DetectorCalibrationMaps
{
    public const double DefectPixelFraction = 1e-4;

    public DetectorCalibrationMaps(DetectorMode mode, XRayPhysics physics, ulong seed)
    {
        int side = mode.Side();
        Side = side;
        GainLsbPerQuantum = new float[side * side];
        OffsetLsb = new float[side * side];
        var random = new SplitMix64(seed ^ (ulong)side);
        var columnBand = new double[side];
        for (int x = 0; x < side; x++)
        {
            columnBand[x] = 0.03 * physics.MeanOffsetLsb * random.NextGaussian();
        }
        for (int y = 0; y < side; y++)
        {
            double v = (y + 0.5) / side - 0.5;
            for (int x = 0; x < side; x++)
            {
                double u = (x + 0.5) / side - 0.5;
                double vignette = 1 - 0.12 * (u * u + v * v) * 2;
                double gain = Math.Max(0.5, 1 + 0.03 * random.NextGaussian()) * vignette;
                int i = y * side + x;
                GainLsbPerQuantum[i] = (float)(gain * physics.LsbPerQuantum);
                OffsetLsb[i] = (float)Math.Max(0, physics.MeanOffsetLsb * (1 + 0.05 * random.NextGaussian()) + columnBand[x]);
            }
        }
        int defects = Math.Max(4, (int)(side * side * DefectPixelFraction));
        var stuck = new List<int>(defects);
        for (int d = 0; d < defects; d++)
        {
            int i = random.NextInt(side * side);
            GainLsbPerQuantum[i] = 0;
            OffsetLsb[i] = d % 2 == 0 ? 0 : physics.FullScale;
            stuck.Add(i);
        }
        StuckPixels = stuck;
        DeadColumn = side / 2 + side / 5;
        WeakRow = side / 3;
        for (int y = 0; y < side; y++)
        {
            GainLsbPerQuantum[y * side + DeadColumn] = 0;
        }
        for (int x = 0; x < side; x++)
        {
            GainLsbPerQuantum[WeakRow * side + x] *= 0.4f;
        }
    }

    public int Side { get; }
    public float[] GainLsbPerQuantum { get; }
    public float[] OffsetLsb { get; }
    public IReadOnlyList<int> StuckPixels { get; }

    /// <summary>A column that responds to no X-rays: it reads its dark offset.</summary>
    public int DeadColumn { get; }

    /// <summary>A row with 40 % of the normal gain.</summary>
    public int WeakRow { get; }
}
