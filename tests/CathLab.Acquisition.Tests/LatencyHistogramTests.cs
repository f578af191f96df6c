using CathLab.Acquisition.Imaging;

namespace CathLab.Acquisition.Tests;

public sealed class LatencyHistogramTests
{
    [Fact]
    public void Percentiles_are_exact_to_within_the_bucket_width()
    {
        var histogram = new LatencyHistogram();
        for (long us = 1; us <= 10_000; us++) histogram.Record(us);
        Assert.Equal(10_000, histogram.Count);
        Assert.Equal(10_000, histogram.MaxMicroseconds);
        Assert.InRange(histogram.PercentileMicroseconds(50), 5_000, 5_000 * 1.016);
        Assert.InRange(histogram.PercentileMicroseconds(99), 9_900, 9_900 * 1.016);
        Assert.Equal(10_000, histogram.PercentileMicroseconds(100));
        Assert.InRange(histogram.P50Milliseconds, 5.0, 5.08);
    }

    [Fact]
    public void Small_values_are_exact_and_huge_ones_are_kept_in_the_last_bucket()
    {
        var histogram = new LatencyHistogram();
        for (int i = 0; i < 98; i++) histogram.Record(37);
        histogram.Record(-5); // a clock step: counted as 0
        histogram.Record(long.MaxValue / 2);
        Assert.Equal(37, histogram.PercentileMicroseconds(50));
        Assert.Equal(37, histogram.PercentileMicroseconds(99));
        Assert.Equal(long.MaxValue / 2, histogram.PercentileMicroseconds(100));
        Assert.Equal(0, histogram.PercentileMicroseconds(1));
    }

    [Fact]
    public void An_empty_histogram_reports_zero_and_reset_empties_it()
    {
        var histogram = new LatencyHistogram();
        Assert.Equal(0, histogram.PercentileMicroseconds(99));
        histogram.Record(1234);
        histogram.Reset();
        Assert.Equal(0, histogram.Count);
        Assert.Equal(0, histogram.P99Milliseconds);
        Assert.Throws<ArgumentOutOfRangeException>(() => histogram.PercentileMicroseconds(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => histogram.PercentileMicroseconds(101));
    }

    [Fact]
    public void Recording_allocates_nothing()
    {
        var histogram = new LatencyHistogram();
        histogram.Record(10);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (long us = 0; us < 100_000; us += 7) histogram.Record(us);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
