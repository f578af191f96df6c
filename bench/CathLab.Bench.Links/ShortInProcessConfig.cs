using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace CathLab.Bench.Links;

/// <summary>ShortRun in the benchmark's own process: on the shared 2-core machine, building BenchmarkDotNet's
/// separate boilerplate project can exceed its 2-minute build limit. Min and median sit beside the mean
/// because other builds on the machine stretch single iterations.</summary>
public sealed class ShortInProcessConfig : ManualConfig
{
    public ShortInProcessConfig()
    {
        AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance));
        AddColumn(StatisticColumn.Min, StatisticColumn.Median);
        AddDiagnoser(MemoryDiagnoser.Default);
    }
}
