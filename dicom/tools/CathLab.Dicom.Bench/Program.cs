using BenchmarkDotNet.Running;

// dotnet run -c Release --project dicom/tools/CathLab.Dicom.Bench -- --filter '*' --job short --inProcess
// (in-process: the generated dictionary makes BenchmarkDotNet's per-job rebuild slow on a busy machine)
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);

internal sealed partial class Program;
