using System.Diagnostics;

namespace CathLab.Dicom.Tests.Support;

/// <summary>Runs a real peer (dcmtk, pydicom) and returns its exit code and output; a missing tool fails the test.</summary>
internal static class ExternalTool
{
    public sealed record Result(int ExitCode, string StdOut, string StdErr)
    {
        public string All => StdOut + StdErr;
    }

    public static Result Run(string executable, params string[] args) => Run(executable, args, null);

    public static Result Run(string executable, IEnumerable<string> args, string? stdin)
    {
        var path = Resolve(executable);
        var psi = new ProcessStartInfo(path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {path}");
        if (stdin is not null)
        {
            p.StandardInput.Write(stdin);
            p.StandardInput.Close();
        }
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{executable} did not finish within 60 s");
        }
        return new Result(p.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }

    /// <summary>Runs a Python snippet with the system interpreter, which has pydicom and numpy (scripts/setup.sh).</summary>
    public static Result Python(string script, params string[] args) => Run("/usr/bin/python3", new[] { "-c", script }.Concat(args), null);

    private static string Resolve(string executable)
    {
        if (Path.IsPathRooted(executable))
            return File.Exists(executable) ? executable : throw new FileNotFoundException($"{executable} is missing; run scripts/setup.sh");
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/usr/bin"))
        {
            var candidate = Path.Combine(dir, executable);
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException($"{executable} is not installed; run scripts/setup.sh (dcmtk, python3-pydicom)");
    }
}
