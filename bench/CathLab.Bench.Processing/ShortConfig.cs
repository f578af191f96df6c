using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace CathLab.Bench.Processing;

/// <summary>A short in-process job (3 warm-ups, 8 measured iterations of at least 100 ms each) so that the
/// whole suite runs in a few minutes; ratios are against the copy-bound baseline of the same run.</summary>
public sealed class ShortConfig : ManualConfig
{
    public ShortConfig()
    {
        AddJob(Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithLaunchCount(1)
            .WithWarmupCount(3)
            .WithIterationCount(8)
            .WithIterationTime(Perfolizer.Horology.TimeInterval.FromMilliseconds(100))
            .WithId("Short"));
        SummaryStyle = SummaryStyle.Default.WithRatioStyle(RatioStyle.Value);
        AddColumn(StatisticColumn.Median, StatisticColumn.Min, MedianRatioColumn.VersusCopy, MedianRatioColumn.PeerOverThis, MedianRatioColumn.VersusOwnBytes, MedianRatioColumn.VersusOwnBytesFromMemory, MedianRatioColumn.FramesPerSecond);
        WithOptions(ConfigOptions.DisableOptimizationsValidator);
    }
}
