using BenchmarkDotNet.Running;
using CathLab.Bench.Dicom.Network;

// "network" runs the process-spawning comparison against dcmtk (BenchmarkDotNet cannot time a peer process fairly);
// anything else goes to BenchmarkDotNet.
if (args.Length > 0 && args[0] == "network")
{
    return await StoreComparison.RunAsync(args[1..]);
}
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
