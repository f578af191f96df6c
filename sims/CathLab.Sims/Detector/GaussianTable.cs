namespace CathLab.Sims.Detector;

/// <summary>A fixed table of standard normal deviates, drawn once from the seed. Each rendered row
/// reads a run of it from a random start, so per-pixel noise costs a load instead of a transcendental.</summary>
public sealed class GaussianTable
{
    public const int Length = 1 << 21;

    public GaussianTable(ulong seed)
    {
        Values = new float[Length];
        var random = new SplitMix64(seed);
        for (int i = 0; i < Length; i++)
        {
            Values[i] = (float)random.NextGaussian();
        }
    }

    public float[] Values { get; }
}
