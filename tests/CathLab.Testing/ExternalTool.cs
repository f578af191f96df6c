using System.Diagnostics;

namespace CathLab.Testing;

/// <summary>Runs one of the real DICOM tools (dciodvfy, dcmdump, dsrdump, pydicom) and returns its exit code and output.</summary>
public static class ExternalTool
{
    public const string Python = "/usr/bin/python3";

    public sealed record Result(int ExitCode, string StdOut, string StdErr)
    {
        public string All => StdOut + StdErr;
    }

    public static Result Run(string program, params string[] args)
    {
        if (program.StartsWith('/') && !File.Exists(program)) throw new FileNotFoundException($"{program} is missing; run scripts/setup.sh");
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"{program} did not start");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', args)} hung");
        }
        return new Result(p.ExitCode, stdout.Result, stderr.Result);
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

    public static Result PythonScript(string script, params string[] args) => Run(Python, ["-c", script, .. args]);
}
