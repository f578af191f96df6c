using System.Diagnostics;
using CathLab.Sims.SerialLine;

namespace CathLab.Bench.Station;

/// <summary>The real <c>cathlab-sim serve</c> as a child process on one end of a socat pty pair, with its frame link on
/// a free port at 1024×1024: the station sees what it would see of separate hardware, and the simulator's CPU is its own.</summary>
internal sealed class SimulatorChild : IDisposable
{
    private readonly Process _process;
    private readonly PseudoTerminalPair _pty;
    private readonly Lock _gate = new();
    private readonly System.Text.StringBuilder _output = new();

    private SimulatorChild(Process process, PseudoTerminalPair pty, int framePort)
    {
        _process = process;
        _pty = pty;
        FramePort = framePort;
    }

    public string SerialEnd => _pty.StationEnd;
    public int FramePort { get; }
    public const int Side = 1024;

    public string Output { get { lock (_gate) return _output.ToString(); } }

    /// <summary>CPU the simulator process has used since it started.</summary>
    public TimeSpan ProcessorTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    public static async Task<SimulatorChild> StartAsync(string preset)
    {
        var pty = new PseudoTerminalPair();
        int port = FreePort.Next();
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in (string[])[Path.Combine(AppContext.BaseDirectory, "cathlab-sim.dll"), "serve", "--serial", pty.GeneratorEnd,
                     "--frame-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--mode", Side.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "--heartbeat-ms", "1000", "--preset", preset])
            psi.ArgumentList.Add(a);
        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new InvalidOperationException("cathlab-sim did not start");
        }
        catch
        {
            pty.Dispose();
            throw;
        }
        var sim = new SimulatorChild(process, pty, port);
        process.OutputDataReceived += (_, e) => sim.Append(e.Data);
        process.ErrorDataReceived += (_, e) => sim.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        for (int i = 0; i < 600 && !sim.Output.Contains("ready", StringComparison.Ordinal); i++)
        {
            if (process.HasExited)
            {
                sim.Dispose();
                throw new InvalidOperationException($"cathlab-sim exited: {sim.Output}");
            }
            await Task.Delay(50);
        }
        if (!sim.Output.Contains("ready", StringComparison.Ordinal))
        {
            sim.Dispose();
            throw new InvalidOperationException($"cathlab-sim did not say 'ready' within 30 s: {sim.Output}");
        }
        return sim;
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_gate) _output.AppendLine(line);
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.StandardInput.Close();
                if (!_process.WaitForExit(5000)) _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
        _pty.Dispose();
    }
}
