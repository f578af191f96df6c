using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace CathLab.Bench.Processing;

/// <summary>Ratios on medians (robust on a shared, busy machine), computed from the same run:
/// against the copy bound, and the OpenCvSharp peer's time over this one's for the same step or chain.</summary>
internal sealed class MedianRatioColumn(string name, string legend, Func<Summary, BenchmarkCase, double?> value) : IColumn
{
    public string Id => name;
    public string ColumnName => name;
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => legend;
    public bool IsAvailable(Summary summary) => true;
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => value(summary, benchmarkCase) is { } v ? v.ToString("F2") : "-";
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

    private static double? Median(Summary summary, BenchmarkCase c) => summary[c]?.ResultStatistics?.Median;

    private static double? MedianOf(Summary summary, string method) =>
        summary.BenchmarksCases.FirstOrDefault(c => c.Descriptor.WorkloadMethod.Name == method) is { } c ? Median(summary, c) : null;

    public static readonly MedianRatioColumn VersusCopy = new("x copy (median)", "median time / median time of the 2 MiB copy (the memory-bandwidth bound)",
        (s, c) => Median(s, c) / MedianOf(s, nameof(ProcessingBenchmarks.CopyBound)));

    public static readonly MedianRatioColumn PeerOverThis = new("OpenCvSharp / this (median)", "median time of the OpenCvSharp peer for the same step or chain / this one's: > 1 means faster than the peer",
        (s, c) =>
        {
            var name = c.Descriptor.WorkloadMethod.Name;
            int cut = name.LastIndexOf('_');
            if (cut < 0 || name.EndsWith("_OpenCv", StringComparison.Ordinal)) return null;
            return MedianOf(s, name[..cut] + "_OpenCv") / Median(s, c);
        });

    public static readonly MedianRatioColumn VersusOwnBytes = new("x own-bytes copy (median)", "fluoro and DSA chains: median time / median time of copying the bytes that chain must move at the least",
        (s, c) =>
        {
            var name = c.Descriptor.WorkloadMethod.Name;
            if (name.StartsWith("Chain_Fluoro_", StringComparison.Ordinal)) return Median(s, c) / MedianOf(s, nameof(ProcessingBenchmarks.CopyFluoroBytes));
            if (name.StartsWith("Chain_Dsa_", StringComparison.Ordinal)) return Median(s, c) / MedianOf(s, nameof(ProcessingBenchmarks.CopyDsaBytes));
            return null;
        });

    public static readonly MedianRatioColumn VersusOwnBytesFromMemory = new("x own-bytes copy from memory (median)", "fluoro and DSA chains: median time / median time of copying the bytes that chain must move at the least, none of them in a cache (the DRAM bound)",
        (s, c) =>
        {
            var name = c.Descriptor.WorkloadMethod.Name;
            bool chain = name.StartsWith("Chain_Fluoro_", StringComparison.Ordinal) || name.StartsWith("Chain_Dsa_", StringComparison.Ordinal);
            return chain ? Median(s, c) / MedianOf(s, nameof(ProcessingBenchmarks.CopyOwnBytesFromMemory)) : null;
        });

    public static readonly MedianRatioColumn FramesPerSecond = new("fps (median)", "frames per second at the median time", (s, c) => 1e9 / Median(s, c));
}
