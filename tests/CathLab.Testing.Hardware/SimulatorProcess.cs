using System.Diagnostics;
using System.Globalization;

namespace CathLab.Testing;

/// <summary>The real <c>cathlab-sim serve</c> as a child process on one end of a socat pty pair, with its frame link on
/// a free port: the station sees exactly what it would see of separate hardware, and the simulator's CPU is its own.
/// cathlab-sim.dll is looked for next to the running assembly, so the host project references CathLab.Sims.Cli.</summary>
public sealed class SimulatorProcess : IDisposable
{
    private static readonly TimeSpan ReadinessWait = TimeSpan.FromSeconds(30);
    private readonly PeerProcess _process;

    private SimulatorProcess(PeerProcess process, PtyPair pty, int framePort, int side)
    {
        _process = process;
        Pty = pty;
        FramePort = framePort;
        Side = side;
    }

    public PtyPair Pty { get; }
    public int FramePort { get; }

    /// <summary>The detector's frame side (--mode): 1024 or 512.</summary>
    public int Side { get; }

    public string Output => _process.Output;

    /// <summary>CPU the simulator process has used since it started.</summary>
    public TimeSpan ProcessorTime => _process.ProcessorTime;

    /// <summary>Starts <c>cathlab-sim serve</c> with <paramref name="extra"/> options (--mode, --preset, …) and waits
    /// until it says it is ready.</summary>
    public static async Task<SimulatorProcess> StartAsync(params string[] extra)
    {
        var pty = new PtyPair();
        int port = FreePort.Next();
        string[] arguments = [Path.Combine(AppContext.BaseDirectory, "cathlab-sim.dll"), "serve", "--serial", pty.GeneratorEnd,
            "--frame-port", port.ToString(CultureInfo.InvariantCulture), "--heartbeat-ms", "1000", .. extra];
        PeerProcess process;
        try
        {
            process = new PeerProcess("dotnet", arguments, standardInput: true);
        }
        catch
        {
            pty.Dispose();
            throw;
        }
        int mode = Array.IndexOf(extra, "--mode") is var at and >= 0 ? int.Parse(extra[at + 1], CultureInfo.InvariantCulture) : 1024;
        var sim = new SimulatorProcess(process, pty, port, mode);
        var waited = Stopwatch.StartNew();
        while (!sim.Output.Contains("ready", StringComparison.Ordinal))
        {
            if (process.HasExited)
            {
                sim.Dispose();
                throw new InvalidOperationException($"cathlab-sim exited: {sim.Output}");
            }
            if (waited.Elapsed > ReadinessWait)
            {
                sim.Dispose();
                throw new InvalidOperationException($"cathlab-sim did not say 'ready' within {ReadinessWait.TotalSeconds} s: {sim.Output}");
            }
            await Task.Delay(50);
        }
        return sim;
    }

    /// <summary>Types a runtime command (fault injection) on the simulator's standard input.</summary>
    public void Command(string line) => _process.WriteLine(line);

    /// <summary>The generator's state and pulse count, from the simulator's own "status" command.</summary>
    public async Task<(string State, long Pulses)> GeneratorStatusAsync()
    {
        int before = Output.Split('\n').Count(l => l.StartsWith("generator: ", StringComparison.Ordinal));
        Command("status");
        for (int i = 0; i < 200; i++)
        {
            var lines = Output.Split('\n').Where(l => l.StartsWith("generator: ", StringComparison.Ordinal)).ToArray();
            if (lines.Length > before)
            {
                var parts = lines[^1]["generator: ".Length..].Split(',');
                return (parts[0].Trim(), long.Parse(parts[1].Trim().Split(' ')[0], CultureInfo.InvariantCulture));
            }
            await Task.Delay(25);
        }
        throw new TimeoutException($"cathlab-sim did not answer 'status': {Output}");
    }

    public void Dispose()
    {
        _process.CloseInput(TimeSpan.FromSeconds(5));
        _process.Dispose();
        Pty.Dispose();
    }
}
