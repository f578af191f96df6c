namespace CathLab.FirmwareBridge.Link;

/// <summary>How long the generator took to answer commands and heartbeats, from the first transmission to the answer's
/// arrival on the reader thread: fixed 50 µs buckets up to 500 ms (one overflow bucket above), so recording allocates
/// nothing and takes no lock.</summary>
public sealed class AnswerLatencyHistogram
{
    private const long BucketMicros = 50;
    private const int Buckets = 10_000;
    private readonly long[] _counts = new long[Buckets + 1];
    private long _count;
    private long _maxMicros;

    public long Count => Interlocked.Read(ref _count);

    public double MaxMilliseconds => Interlocked.Read(ref _maxMicros) / 1000.0;

    public void Record(long micros)
    {
        if (micros < 0) micros = 0;
        long bucket = Math.Min(Buckets, micros / BucketMicros);
        Interlocked.Increment(ref _counts[bucket]);
        Interlocked.Increment(ref _count);
        long max;
        while (micros > (max = Interlocked.Read(ref _maxMicros)) && Interlocked.CompareExchange(ref _maxMicros, micros, max) != max)
        {
        }
    }

    /// <summary>The upper edge of the bucket holding the <paramref name="fraction"/> quantile (0.5 for the median), in ms;
    /// 0 when nothing was recorded.</summary>
    public double PercentileMilliseconds(double fraction)
    {
        long total = Count;
        if (total == 0) return 0;
        long rank = Math.Max(1, (long)Math.Ceiling(fraction * total));
        long seen = 0;
        for (int i = 0; i <= Buckets; i++)
        {
            seen += Interlocked.Read(ref _counts[i]);
            if (seen >= rank) return i == Buckets ? MaxMilliseconds : (i + 1) * BucketMicros / 1000.0;
        }
        return MaxMilliseconds;
    }

    public override string ToString() =>
        $"{Count} answers, p50 {PercentileMilliseconds(0.5):0.00} ms, p99 {PercentileMilliseconds(0.99):0.00} ms, max {MaxMilliseconds:0.00} ms";
}
