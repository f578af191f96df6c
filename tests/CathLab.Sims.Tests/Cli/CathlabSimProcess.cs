using CathLab.Testing;

namespace CathLab.Sims.Tests.Cli;

/// <summary>Runs the built cathlab-sim as a separate process, as an engineer would, with its standard input closed.</summary>
internal static class CathlabSimProcess
{
    public static ExternalTool.Result Run(params string[] args) =>
        ExternalTool.Run("dotnet", [Path.Combine(AppContext.BaseDirectory, "cathlab-sim.dll"), .. args], standardInput: "", patience: TimeSpan.FromMinutes(2));
}
