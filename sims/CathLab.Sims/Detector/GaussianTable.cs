using System.Collections.Concurrent;

namespace CathLab.Sims.Detector;

/// <summary>A fixed table of standard normal deviates, drawn once from the seed. Each rendered row
/// reads a run of it from a random start, so per-pixel noise costs a load instead of a transcendental.</summary>
public sealed class GaussianTable
{
    public const int Length = 1 << 21;
    private static readonly ConcurrentDictionary<ulong, Lazy<GaussianTable>> BySeed = new();

    private GaussianTable(ulong seed)
    {
        Values = new float[Length];
        var random = new SplitMix64(seed);
        for (int i = 0; i < Length; i++)
        {
            Values[i] = (float)random.NextGaussian();
        }
    }

    /// <summary>The table for <paramref name="seed"/>, drawn once per process (8 MiB) and shared: it is read-only.</summary>
    public static GaussianTable For(ulong seed) => BySeed.GetOrAdd(seed, s => new Lazy<GaussianTable>(() => new GaussianTable(s))).Value;

    public float[] Values { get; }
}
