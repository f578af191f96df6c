using System.Diagnostics;

namespace CathLab.Sims.SerialLine;

/// <summary>A pseudo-terminal pair made by socat: two device paths joined like a null-modem cable.
/// Disposing it kills socat, which the far ends see as a cable pull.</summary>
public sealed class PseudoTerminalPair : IDisposable
{
    private readonly Process _socat;
    private readonly string _directory;

    public string StationEnd { get; }
    public string GeneratorEnd { get; }

    public PseudoTerminalPair()
    {
        _directory = Directory.CreateTempSubdirectory("cathlab-pty-").FullName;
        StationEnd = Path.Combine(_directory, "station");
        GeneratorEnd = Path.Combine(_directory, "generator");
        var start = new ProcessStartInfo("socat")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "-d", "-d", $"pty,raw,echo=0,link={StationEnd}", $"pty,raw,echo=0,link={GeneratorEnd}" })
        {
            start.ArgumentList.Add(arg);
        }
        try
        {
            _socat = Process.Start(start) ?? throw new InvalidOperationException("socat did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("socat is not installed: install Debian's socat (scripts/setup.sh does)", e);
        }
        _socat.ErrorDataReceived += (_, _) => { };
        _socat.BeginErrorReadLine();
        var deadline = Stopwatch.StartNew();
        while (!(File.Exists(StationEnd) && File.Exists(GeneratorEnd)))
        {
            if (_socat.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(20))
            {
                Dispose();
                throw new InvalidOperationException("socat did not create the pseudo-terminal pair");
            }
            Thread.Sleep(10);
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_socat.HasExited)
            {
                _socat.Kill(entireProcessTree: true);
                _socat.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }
        _socat.Dispose();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}
