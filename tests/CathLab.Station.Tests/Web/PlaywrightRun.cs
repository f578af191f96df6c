using System.Diagnostics;
using System.Text.Json;

namespace CathLab.Station.Tests.Web;

/// <summary>One <c>npx playwright test</c> run of a spec in capture/web against a station, in real Chromium (Debian's
/// /usr/bin/chromium), with the station's address and tokens in the environment; its outcome from Playwright's JSON report.</summary>
internal static class PlaywrightRun
{
    public static string RepositoryRoot { get; } = FindRoot();
    public static string WebFolder => Path.Combine(RepositoryRoot, "capture", "web");

    /// <summary>Where screenshots and Playwright's own traces of <paramref name="scenario"/> are kept (CI keeps artifacts/).</summary>
    public static string ArtifactsOf(string scenario) => Path.Combine(RepositoryRoot, "artifacts", "web", scenario);

    public sealed record Outcome(int ExitCode, int Passed, int Failed, int Skipped, string Output, string ReportPath);

    public static async Task<Outcome> RunAsync(string spec, string scenario, IReadOnlyDictionary<string, string> environment, string? grep = null)
    {
        if (!Directory.Exists(Path.Combine(WebFolder, "node_modules", "@playwright")))
            throw new InvalidOperationException($"{WebFolder}/node_modules is missing: run scripts/setup.sh (npm ci in capture/web)");
        string artifacts = ArtifactsOf(scenario);
        if (Directory.Exists(artifacts)) Directory.Delete(artifacts, recursive: true);
        Directory.CreateDirectory(artifacts);
        string report = Path.Combine(artifacts, "report.json");
        var start = new ProcessStartInfo("npx") { WorkingDirectory = WebFolder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "--no-install", "playwright", "test", spec }) start.ArgumentList.Add(a);
        if (grep is not null)
        {
            start.ArgumentList.Add("--grep");
            start.ArgumentList.Add(grep);
        }
        foreach (var (key, value) in environment) start.Environment[key] = value;
        start.Environment["CATHLAB_REPORT"] = report;
        start.Environment["CATHLAB_ARTIFACTS"] = artifacts;
        start.Environment["PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD"] = "1";
        using var process = Process.Start(start) ?? throw new InvalidOperationException("npx did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        string output = await stdout + await stderr;
        await File.WriteAllTextAsync(Path.Combine(artifacts, "output.txt"), output);
        if (!File.Exists(report)) return new Outcome(process.ExitCode, 0, 0, 0, output, report);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(report));
        var stats = json.RootElement.GetProperty("stats");
        return new Outcome(process.ExitCode, stats.GetProperty("expected").GetInt32(), stats.GetProperty("unexpected").GetInt32() + stats.GetProperty("flaky").GetInt32(),
            stats.GetProperty("skipped").GetInt32(), output, report);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CathLab.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("CathLab.sln not found above the test's folder");
    }
}
