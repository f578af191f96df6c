using System.Diagnostics;

namespace CathLab.Sims.SerialLine;

/// <summary>A pseudo-terminal pair made by socat: two device paths joined like a null-modem cable.
/// Disposing it kills socat, which the far ends see as a cable pull; <see cref="Pull"/> and <see cref="Restore"/>
/// pull the cable and plug a new one in at the same two paths.</summary>
public sealed class PseudoTerminalPair : IDisposable
{
    private readonly string _directory;
    private Process? _socat;

    public string StationEnd { get; }
    public string GeneratorEnd { get; }

    /// <summary>False between <see cref="Pull"/> and <see cref="Restore"/>.</summary>
    public bool Connected => _socat is { HasExited: false };

    public PseudoTerminalPair()
    {
        _directory = Directory.CreateTempSubdirectory("cathlab-pty-").FullName;
        StationEnd = Path.Combine(_directory, "station");
        GeneratorEnd = Path.Combine(_directory, "generator");
        try
        {
            _socat = StartSocat();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Kills socat and removes both device paths, as unplugging a USB serial adapter removes its node:
    /// both ends' open handles go dead.</summary>
    public void Pull()
    {
        StopSocat();
        RemoveLinks();
    }

    /// <summary>A new socat, and so a new pair of pseudo-terminals, at the same two paths. Handles opened before the
    /// pull stay dead; each end has to open its path again.</summary>
    public void Restore()
    {
        if (Connected) throw new InvalidOperationException("the pair is connected; pull it first");
        StopSocat();
        RemoveLinks(); // a killed socat leaves its links behind, pointing at pty numbers the new one may reuse
        _socat = StartSocat();
    }

    private Process StartSocat()
    {
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
        Process socat;
        try
        {
            socat = Process.Start(start) ?? throw new InvalidOperationException("socat did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("socat is not installed: install Debian's socat (scripts/setup.sh does)", e);
        }
        socat.ErrorDataReceived += (_, _) => { };
        socat.BeginErrorReadLine();
        var deadline = Stopwatch.StartNew();
        while (!(File.Exists(StationEnd) && File.Exists(GeneratorEnd)))
        {
            if (socat.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(20))
            {
                Stop(socat);
                throw new InvalidOperationException("socat did not create the pseudo-terminal pair");
            }
            Thread.Sleep(10);
        }
        return socat;
    }

    private void StopSocat()
    {
        if (_socat is { } socat)
        {
            _socat = null;
            Stop(socat);
        }
    }

    private static void Stop(Process socat)
    {
        try
        {
            if (!socat.HasExited)
            {
                socat.Kill(entireProcessTree: true);
                socat.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }
        socat.Dispose();
    }

    private void RemoveLinks()
    {
        foreach (var link in new[] { StationEnd, GeneratorEnd })
        {
            try { File.Delete(link); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    public void Dispose()
    {
        StopSocat();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}
