using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace CathLab.Capture.Tests.Workflow;

/// <summary>A real peer (wlmscpfs, Orthanc) run as a child process; output kept for failure messages, process tree killed on dispose.</summary>
internal sealed class PeerProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    public PeerProcess(string executable, params string[] arguments)
    {
        var start = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        _process = Process.Start(start) ?? throw new InvalidOperationException($"{executable} did not start");
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    /// <summary>Waits until the peer accepts TCP connections on the port (a readiness probe, not a test limit).</summary>
    public void WaitForPort(int port)
    {
        for (var attempt = 0; attempt < 1200; attempt++)
        {
            if (_process.HasExited) throw new InvalidOperationException($"{_process.StartInfo.FileName} exited early ({_process.ExitCode}): {Output}");
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
        throw new InvalidOperationException($"{_process.StartInfo.FileName} never listened on {port}: {Output}");
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
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
        }
        _process.Dispose();
    }
}
