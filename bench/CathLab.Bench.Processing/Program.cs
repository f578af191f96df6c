using BenchmarkDotNet.Running;
using CathLab.Bench.Processing;

if (args is ["interleaved", ..])
    InterleavedHarness.Run(args.Length > 1 ? int.Parse(args[1]) : 200);
else
    BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
