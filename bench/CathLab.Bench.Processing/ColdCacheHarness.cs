using System.Diagnostics;

namespace CathLab.Bench.Processing;

/// <summary>Every chain and the copy bound with nothing in the cache, as at the start of each frame of a live
/// run in which recording, encoding and sending pass tens of MiB through the cache between frames: before each
/// timed call the harness writes a buffer several times the last-level cache. The cases take turns, so a change
/// in the machine's load falls on all of them. Run: <c>CathLab.Bench.Processing.dll cold [rounds]</c>.</summary>
internal static class ColdCacheHarness
{
    private const int EvictBytes = 256 << 20;

    public static void Run(int rounds)
    {
        var b = new ProcessingBenchmarks();
        b.Setup();
        var cases = new (string Name, Action Call)[]
        {
            ("Copy of a chain's bytes (5.6 MiB copy)", b.CopyFluoroBytes),
            ("Chain_Fluoro_Cpu2", b.Chain_Fluoro_Cpu2),
            ("Chain_Fluoro_Cpu1", b.Chain_Fluoro_Cpu1),
            ("Chain_Dsa_Cpu2", b.Chain_Dsa_Cpu2),
            ("Chain_Dsa_Cpu1", b.Chain_Dsa_Cpu1),
        };
        var evict = new byte[EvictBytes];
        var samples = cases.Select(_ => new double[rounds]).ToArray();
        for (int warm = 0; warm < 5; warm++)
            foreach (var c in cases) c.Call();
        byte fill = 0;
        for (int r = 0; r < rounds; r++)
            for (int i = 0; i < cases.Length; i++)
            {
                evict.AsSpan().Fill(++fill);
                long start = Stopwatch.GetTimestamp();
                cases[i].Call();
                samples[i][r] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
            }
        b.Cleanup();
        double copy = Median(samples[0]);
        Console.WriteLine($"Cold-cache harness: {rounds} rounds, each call after writing {EvictBytes >> 20} MiB");
        Console.WriteLine("| Case | Median | 10th percentile | x cold copy (median) |");
        Console.WriteLine("|---|--:|--:|--:|");
        for (int i = 0; i < cases.Length; i++)
            Console.WriteLine($"| {cases[i].Name} | {Median(samples[i]):F0} us | {Percentile(samples[i], 0.1):F0} us | {Median(samples[i]) / copy:F2} |");
    }

    private static double Median(double[] values) => Percentile(values, 0.5);

    private static double Percentile(double[] values, double p)
    {
        var sorted = values.Order().ToArray();
        return sorted[(int)Math.Round(p * (sorted.Length - 1))];
    }
}
