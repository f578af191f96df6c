using System.Net;
using System.Net.Sockets;
using CathLab.Dicom.Network.Pdus;

namespace CathLab.Dicom.Network.Tests.Support;

/// <summary>A misbehaving peer for failure tests: accepts one connection and runs a script against it.</summary>
public sealed class ScriptedPeer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Task _run;
    private readonly CancellationTokenSource _stop = new();

    public ScriptedPeer(Func<NetworkStream, PduReader, Task> script)
    {
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _run = Task.Run(async () =>
        {
            using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            var stream = client.GetStream();
            using var reader = new PduReader(stream, 1 << 20);
            await script(stream, reader).WaitAsync(_stop.Token);
        });
    }

    public int Port { get; }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _run.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _listener.Dispose();
        _stop.Dispose();
    }
}
