using System.Numerics;

namespace CathLab.Acquisition.Imaging;

/// <summary>Counts latencies in microseconds into fixed log-linear buckets (1 µs wide below 128 µs, then 64 buckets
/// per power of two, so a percentile is exact to within 1.6 %). Recording allocates nothing and never locks; one
/// thread records while others read.</summary>
public sealed class LatencyHistogram
{
    private const int Linear = 128;
    private const int SubBuckets = 64;
    private const int SubBits = 6;
    private const int MaxExponent = 36; // about 19 hours; longer values count in the last bucket
    // The last bucket counts everything from 2^MaxExponent µs up.
    private readonly long[] _counts = new long[Linear + (MaxExponent - SubBits - 1) * SubBuckets + 1];
    private long _count;
    private long _max;

    public long Count => Interlocked.Read(ref _count);

    /// <summary>The largest latency recorded, in microseconds.</summary>
    public long MaxMicroseconds => Interlocked.Read(ref _max);

    public double P50Milliseconds => PercentileMicroseconds(50) / 1000.0;

    public double P99Milliseconds => PercentileMicroseconds(99) / 1000.0;

    public void Record(long microseconds)
    {
        if (microseconds < 0) microseconds = 0;
        Interlocked.Increment(ref _counts[Index(microseconds)]);
        Interlocked.Increment(ref _count);
        long max = Interlocked.Read(ref _max);
        while (microseconds > max)
        {
            long seen = Interlocked.CompareExchange(ref _max, microseconds, max);
            if (seen == max) break;
            max = seen;
        }
    }

    /// <summary>The smallest latency, in microseconds, at or below which <paramref name="percent"/> % of the recorded
    /// latencies lie (the upper edge of its bucket, capped by the largest recorded); 0 when nothing was recorded.</summary>
    public long PercentileMicroseconds(double percent)
    {
        if (!(percent > 0 && percent <= 100)) throw new ArgumentOutOfRangeException(nameof(percent), percent, "a percentile is in (0, 100]");
        long total = 0;
        for (int i = 0; i < _counts.Length; i++) total += Interlocked.Read(ref _counts[i]);
        if (total == 0) return 0;
        long rank = (long)Math.Ceiling(total * percent / 100.0);
        long seen = 0;
        for (int i = 0; i < _counts.Length; i++)
        {
            seen += Interlocked.Read(ref _counts[i]);
            if (seen >= rank) return i == _counts.Length - 1 ? MaxMicroseconds : Math.Min(UpperEdge(i), MaxMicroseconds);
        }
        return MaxMicroseconds;
    }

    public void Reset()
    {
        for (int i = 0; i < _counts.Length; i++) Interlocked.Exchange(ref _counts[i], 0);
        Interlocked.Exchange(ref _count, 0);
        Interlocked.Exchange(ref _max, 0);
    }

    private int Index(long value)
    {
        if (value < Linear) return (int)value;
        int exponent = 63 - BitOperations.LeadingZeroCount((ulong)value);
        if (exponent >= MaxExponent) return _counts.Length - 1;
        int shift = exponent - SubBits;
        return Linear + (exponent - SubBits - 1) * SubBuckets + (int)((value >> shift) - SubBuckets);
    }

    private static long UpperEdge(int index)
    {
        if (index < Linear) return index;
        int exponent = (index - Linear) / SubBuckets + SubBits + 1;
        int sub = (index - Linear) % SubBuckets;
        int shift = exponent - SubBits;
        return ((SubBuckets + sub + 1L) << shift) - 1;
    }
}
