namespace CathLab.LiveFeed.Tiers;

/// <summary>Recent encoded size of each variant (smoothed), written by the encoder thread (what it streams) and by
/// the size probe (what observers may step up to), read by every session's adaptation.</summary>
internal sealed class VariantSizes
{
    private const double Smoothing = 0.2;
    private readonly object _gate = new();
    private readonly double[] _average = new double[StreamVariant.All.Count];

    /// <summary>0 until the variant has been encoded once.</summary>
    public double Average(StreamVariant variant)
    {
        lock (_gate) return _average[variant.Index];
    }

    public void Observe(StreamVariant variant, int bytes)
    {
        lock (_gate)
        {
            double avg = _average[variant.Index];
            _average[variant.Index] = avg == 0 ? bytes : avg + Smoothing * (bytes - avg);
        }
    }
}
