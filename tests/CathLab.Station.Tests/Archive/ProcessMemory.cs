using System.Globalization;

namespace CathLab.Station.Tests.Archive;

/// <summary>Resident memory of another process from /proc: now, and the peak since <see cref="ResetPeak"/> (the kernel's
/// high-water mark, reset through clear_refs), with a sampled peak beside it where the kernel cannot reset.</summary>
internal sealed class ProcessMemory(int processId) : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private long _sampledPeak;
    private bool _kernelPeakReset;
    private Task? _sampler;

    public long ResidentBytes => Field("VmRSS");

    public void ResetPeak()
    {
        try
        {
            File.WriteAllText($"/proc/{processId}/clear_refs", "5");
            _kernelPeakReset = true;
        }
        catch (IOException)
        {
            _kernelPeakReset = false;
        }
        catch (UnauthorizedAccessException)
        {
            _kernelPeakReset = false;
        }
        _sampledPeak = ResidentBytes;
        _sampler ??= SampleAsync();
    }

    /// <summary>The largest resident size since the reset.</summary>
    public long PeakBytes => Math.Max(Interlocked.Read(ref _sampledPeak), _kernelPeakReset ? Field("VmHWM") : 0);

    private async Task SampleAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            long now;
            try
            {
                now = ResidentBytes;
            }
            catch (IOException)
            {
                return; // the process is gone
            }
            if (now > Interlocked.Read(ref _sampledPeak)) Interlocked.Exchange(ref _sampledPeak, now);
            try
            {
                await Task.Delay(50, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private long Field(string name)
    {
        foreach (var line in File.ReadLines($"/proc/{processId}/status"))
        {
            if (line.StartsWith(name + ":", StringComparison.Ordinal))
            {
                return long.Parse(line[(name.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
            }
        }
        throw new InvalidOperationException($"/proc/{processId}/status has no {name}");
    }

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }
}
