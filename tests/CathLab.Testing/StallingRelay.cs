using System.Net;
using System.Net.Sockets;

namespace CathLab.Testing;

/// <summary>A TCP relay on 127.0.0.1 whose path can be stalled: after <see cref="Stall"/> it forwards nothing in either
/// direction but keeps every connection open, as a network path that stops carrying packets (no reset, no FIN) does.</summary>
public sealed class StallingRelay : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _sockets = [];
    private readonly Task _accepting;
    private volatile bool _stalled;
    private long _cutAfter = -1;
    private int _cuts;

    public StallingRelay(IPEndPoint target)
    {
        _target = target;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>From now on nothing crosses; connections stay open.</summary>
    public void Stall() => _stalled = true;

    /// <summary>The next connection opened is reset (both ends) after <paramref name="bytes"/> went from the client to the target.</summary>
    public void CutNextAfter(long bytes) => Interlocked.Exchange(ref _cutAfter, bytes);

    /// <summary>Connections cut so far.</summary>
    public int Cuts => Volatile.Read(ref _cuts);

    private async Task AcceptAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptSocketAsync(_stop.Token);
                var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await server.ConnectAsync(_target, _stop.Token);
                }
                catch (SocketException)
                {
                    // The target is down (a station restarting): this connection is refused, the relay goes on.
                    server.Dispose();
                    client.Dispose();
                    continue;
                }
                client.NoDelay = true;
                lock (_sockets) _sockets.AddRange([client, server]);
                long cut = Interlocked.Exchange(ref _cutAfter, -1);
                _ = PumpAsync(client, server, cut);
                _ = PumpAsync(server, client, -1);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task PumpAsync(Socket from, Socket to, long cutAfter)
    {
        var buffer = new byte[16 * 1024];
        long forwarded = 0;
        try
        {
            while (true)
            {
                int n = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                if (n == 0) break;
                while (_stalled) await Task.Delay(50, _stop.Token);
                if (cutAfter >= 0 && forwarded + n > cutAfter)
                {
                    Interlocked.Increment(ref _cuts);
                    foreach (var s in new[] { from, to })
                    {
                        s.LingerState = new LingerOption(true, 0); // a reset, not a FIN
                        s.Dispose();
                    }
                    return;
                }
                forwarded += n;
                await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, _stop.Token);
            }
            if (!_stalled) to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        lock (_sockets)
        {
            foreach (var s in _sockets) s.Dispose();
        }
        await _accepting;
        _stop.Dispose();
    }
}
