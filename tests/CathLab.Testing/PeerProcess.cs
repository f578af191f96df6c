using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace CathLab.Testing;

/// <summary>A real peer (a dcmtk tool, Orthanc, a child host) run as a child process; output captured for failure
/// messages, process tree killed on dispose.</summary>
public sealed class PeerProcess : IDisposable
{
    private static readonly TimeSpan ReadinessWait = TimeSpan.FromSeconds(60);
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    /// <param name="standardInput">Keep the peer's standard input open for <see cref="WriteLine"/> and <see cref="CloseInput"/>.</param>
    public PeerProcess(string executable, IEnumerable<string> arguments, string? workingDirectory = null, bool standardInput = false)
    {
        var start = new ProcessStartInfo(ExternalTool.Resolve(executable))
        {
            RedirectStandardInput = standardInput,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }
        _process = Process.Start(start) ?? throw new InvalidOperationException($"{executable} did not start");
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    /// <summary>The peer's process ID (for /proc and signals).</summary>
    public int Id => _process.Id;

    public int ExitCode => _process.ExitCode;

    /// <summary>SIGKILL to the peer alone: no shutdown code runs, as when the power goes or a user kills it.</summary>
    public void Kill()
    {
        if (_process.HasExited) return;
        _process.Kill();
        _process.WaitForExit();
    }

    /// <summary>CPU the peer has used since it started.</summary>
    public TimeSpan ProcessorTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    /// <summary>Types a line on the peer's standard input.</summary>
    public void WriteLine(string line) => _process.StandardInput.WriteLine(line);

    /// <summary>Closes the peer's standard input (its cue to shut down cleanly) and gives it <paramref name="grace"/> to
    /// exit before <see cref="Dispose"/> kills it.</summary>
    public void CloseInput(TimeSpan grace)
    {
        try
        {
            if (_process.HasExited) return;
            _process.StandardInput.Close();
            _process.WaitForExit(grace);
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
    }

    public int WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            throw new TimeoutException($"{_process.StartInfo.FileName} still running after {timeout}: {Output}");
        }
        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>Waits until the peer accepts TCP connections on the port: a readiness probe (60 s unless told), not a
    /// limit on what a test measures.</summary>
    public void WaitForPort(int port, TimeSpan? timeout = null)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < (timeout ?? ReadinessWait))
        {
            if (_process.HasExited)
            {
                _process.WaitForExit(); // the output read so far, to its end
                throw new InvalidOperationException($"{_process.StartInfo.FileName} exited early ({_process.ExitCode}): {Output}");
            }
            try
            {
                using var probe = new TcpClient();
                probe.Connect("127.0.0.1", port);
                return;
            }
            catch (SocketException)
            {
                Thread.Sleep(50);
            }
        }
        throw new TimeoutException($"{_process.StartInfo.FileName} did not listen on {port}: {Output}");
    }

    /// <summary>Runs a one-shot tool to its end (through <see cref="ExternalTool"/>) and returns its exit code and
    /// standard output and error together.</summary>
    public static (int ExitCode, string Output) Run(string executable, params string[] arguments)
    {
        var result = ExternalTool.Run(executable, arguments);
        return (result.ExitCode, result.All);
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
        _process.Dispose();
    }
}
