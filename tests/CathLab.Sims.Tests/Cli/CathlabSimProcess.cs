using CathLab.Testing;

namespace CathLab.Sims.Tests.Cli;

/// <summary>Runs the built cathlab-sim as a separate process, as an engineer would, with its standard input closed.</summary>
internal static class CathlabSimProcess
{
    public static (int ExitCode, string Output, string Error) Run(params string[] args)
    {
        var result = ExternalTool.Run("dotnet", [Path.Combine(AppContext.BaseDirectory, "cathlab-sim.dll"), .. args], standardInput: "",
            patience: TimeSpan.FromMinutes(2));
        return (result.ExitCode, result.StdOut, result.StdErr);
    }
}
