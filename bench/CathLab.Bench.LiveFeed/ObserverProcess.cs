using System.Diagnostics;
using System.Globalization;

namespace CathLab.Bench.LiveFeed;

/// <summary>Starts <see cref="ObserverChild"/> (this program again) and collects what its observers received.</summary>
internal sealed class ObserverProcess : IDisposable
{
    private readonly Process _process;
    private readonly Task<string> _output;

    private ObserverProcess(Process process)
    {
        _process = process;
        _output = Task.Run(async () =>
        {
            string? first = await process.StandardOutput.ReadLineAsync();
            if (first != "watching") throw new InvalidOperationException($"the observer process said '{first}' instead of 'watching'");
            return await process.StandardOutput.ReadToEndAsync();
        });
    }

    public static ObserverProcess Start(Uri address, int observers, int lossless, string token, string exam, bool preview = false)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        string self = typeof(ObserverProcess).Assembly.Location;
        if (!Path.GetFileNameWithoutExtension(Environment.ProcessPath!).Equals(Path.GetFileNameWithoutExtension(self), StringComparison.Ordinal))
            start.ArgumentList.Add(self); // run as "dotnet x.dll": the child is "dotnet x.dll" too
        foreach (var a in new[] { ObserverChild.Command, address.ToString(), observers.ToString(CultureInfo.InvariantCulture), lossless.ToString(CultureInfo.InvariantCulture), token, exam }) start.ArgumentList.Add(a);
        if (preview) start.ArgumentList.Add(ObserverChild.PreviewOption);
        return new ObserverProcess(Process.Start(start) ?? throw new InvalidOperationException("could not start the observer process"));
    }

    /// <summary>Tells the observers to stop and returns every frame they received.</summary>
    public async Task<(long ReceivedUs, double LatencyMs, int Level, long FrameNumber, double StationMs)[]> StopAsync()
    {
        _process.StandardInput.Close();
        string text = await _output.WaitAsync(TimeSpan.FromMinutes(2));
        await _process.WaitForExitAsync();
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(line =>
        {
            var p = line.Split(' ');
            return (long.Parse(p[0], CultureInfo.InvariantCulture), double.Parse(p[1], CultureInfo.InvariantCulture), int.Parse(p[2], CultureInfo.InvariantCulture),
                long.Parse(p[3], CultureInfo.InvariantCulture), double.Parse(p[4], CultureInfo.InvariantCulture));
        }).ToArray();
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill();
        _process.Dispose();
    }
}
