using BenchmarkDotNet.Running;

// dotnet run -c Release --project dicom/tools/CathLab.Dicom.Bench -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);

internal sealed partial class Program;
