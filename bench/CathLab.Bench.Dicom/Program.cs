using BenchmarkDotNet.Running;
using CathLab.Bench.Dicom.Network;
using CathLab.Bench.Dicom.Publishing;

// "network" and "publish" run the process-spawning comparison against dcmtk (BenchmarkDotNet cannot time a peer process fairly);
// anything else goes to BenchmarkDotNet.
if (args.Length > 0 && args[0] == "network")
{
    return await StoreComparison.RunAsync(args[1..]);
}
if (args.Length > 0 && args[0] == "publish")
{
    return await ExamPublishComparison.RunAsync(args[1..]);
}
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
