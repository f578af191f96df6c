using BenchmarkDotNet.Running;
using CathLab.Bench.Bridge;

// `plot [folder]` writes the ABC response plots; anything else runs the benchmarks.
if (args.Length > 0 && args[0] == "plot")
{
    string folder = args.Length > 1 ? args[1] : Path.Combine("bench", "plots");
    foreach (string file in AbcResponsePlots.WriteAll(folder)) Console.WriteLine(file);
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(RoundTripBenchmarks).Assembly).Run(args);
