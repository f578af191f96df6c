using System.Diagnostics;

namespace CathLab.Testing;

/// <summary>Runs a one-shot real tool (dciodvfy, dcmdump, dcmtk's converters, pydicom) to its end and returns its exit
/// code and output; a missing tool fails the test with what to install. Long-running peers are <see cref="PeerProcess"/>.</summary>
public static class ExternalTool
{
    public const string Python = "/usr/bin/python3";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    public sealed record Result(int ExitCode, string StdOut, string StdErr)
    {
        public string All => StdOut + StdErr;
    }

    public static Result Run(string program, params string[] args) => Run(program, args, standardInput: null);

    /// <summary>Runs <paramref name="program"/> (a path, or a name looked up on PATH) with <paramref name="standardInput"/>
    /// written to its standard input when given; a tool still running after <paramref name="patience"/> (60 s unless told)
    /// is killed and the test fails.</summary>
    public static Result Run(string program, IEnumerable<string> args, string? standardInput, TimeSpan? patience = null)
    {
        var wait = patience ?? Patience;
        var psi = new ProcessStartInfo(Resolve(program))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = standardInput is not null,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"{program} did not start");
        if (standardInput is not null)
        {
            p.StandardInput.Write(standardInput);
            p.StandardInput.Close();
        }
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(wait))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', psi.ArgumentList)} did not finish within {wait.TotalSeconds:0} s");
        }
        return new Result(p.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }

    /// <summary>dciodvfy's findings: lines starting with "Error" and "Warning".</summary>
    public static (string[] Errors, string[] Warnings) Dciodvfy(string path)
    {
        var r = Run("/usr/bin/dciodvfy", path);
        if (Environment.GetEnvironmentVariable("CATHLAB_DCIODVFY_SHOW") is { Length: > 0 } show) File.AppendAllText(show, $"== {path}\n{r.All}\n");
        var lines = r.All.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return (lines.Where(l => l.StartsWith("Error", StringComparison.Ordinal)).ToArray(),
                lines.Where(l => l.StartsWith("Warning", StringComparison.Ordinal)).ToArray());
    }

    /// <summary>Runs a Python snippet with the system interpreter, which has pydicom and numpy (scripts/setup.sh).</summary>
    public static Result PythonScript(string script, params string[] args) => Run(Python, ["-c", script, .. args]);

    /// <summary>The full path of <paramref name="program"/>: itself when rooted, else the first match on PATH.</summary>
    public static string Resolve(string program)
    {
        if (Path.IsPathRooted(program))
        {
            return File.Exists(program) ? program : throw new FileNotFoundException($"{program} is missing; run scripts/setup.sh");
        }
        return (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/usr/bin")
            .Select(d => Path.Combine(d, program)).FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException($"{program} is not installed; run scripts/setup.sh");
    }
}
