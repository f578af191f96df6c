using System.Diagnostics;

namespace CathLab.Bench.Processing;

/// <summary>The fluoro and DSA chains against the copy of their bytes, timed in turns so that the machine's
/// drift over a run (this VM's host is shared: a BenchmarkDotNet run measures each method minutes apart)
/// falls on chain and copy alike. Each round times every case twice: <b>in cache</b> (the call right after
/// an untimed call of the same case) and <b>from memory</b> (the call after writing a buffer several times
/// the last-level cache, as at the start of a live run's frame once recording, encoding and sending have
/// passed tens of MiB through the cache). Run: <c>CathLab.Bench.Processing.dll interleaved [rounds]</c>.</summary>
internal static class InterleavedHarness
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
        var inCache = cases.Select(_ => new double[rounds]).ToArray();
        var fromMemory = cases.Select(_ => new double[rounds]).ToArray();
        for (int warm = 0; warm < 5; warm++)
            foreach (var c in cases) c.Call();
        byte fill = 0;
        for (int r = 0; r < rounds; r++)
            for (int i = 0; i < cases.Length; i++)
            {
                cases[i].Call();
                inCache[i][r] = Time(cases[i].Call);
                evict.AsSpan().Fill(++fill);
                fromMemory[i][r] = Time(cases[i].Call);
            }
        b.Cleanup();
        double copyInCache = Median(inCache[0]), copyFromMemory = Median(fromMemory[0]);
        Console.WriteLine($"Interleaved harness: {rounds} rounds; 'from memory' calls follow a {EvictBytes >> 20} MiB write");
        Console.WriteLine("| Case | In cache: median | x copy in cache | From memory: median | x copy from memory |");
        Console.WriteLine("|---|--:|--:|--:|--:|");
        for (int i = 0; i < cases.Length; i++)
            Console.WriteLine($"| {cases[i].Name} | {Median(inCache[i]):F0} us | {Median(inCache[i]) / copyInCache:F2} | {Median(fromMemory[i]):F0} us | {Median(fromMemory[i]) / copyFromMemory:F2} |");
    }

    private static double Time(Action call)
    {
        long start = Stopwatch.GetTimestamp();
        call();
        return Stopwatch.GetElapsedTime(start).TotalMicroseconds;
    }

    private static double Median(double[] values) => values.Order().ElementAt(values.Length / 2);
}
