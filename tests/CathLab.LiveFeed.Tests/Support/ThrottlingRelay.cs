using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace CathLab.LiveFeed.Tests.Support;

/// <summary>A TCP relay on 127.0.0.1 that forwards to a target at a limited rate in each direction (a token
/// bucket per direction), with small socket buffers so the relay itself hides little data.</summary>
internal sealed class ThrottlingRelay : IAsyncDisposable
{
    private const int Chunk = 512;
    private const int SocketBuffer = 8 * 1024;
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _target;
    private readonly double _bytesPerSecond;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _sockets = [];
    private readonly List<Task> _pumps = [];
    private readonly Task _accepting;
    private long _forwarded;

    public ThrottlingRelay(IPEndPoint target, double bitsPerSecond)
    {
        _target = target;
        _bytesPerSecond = bitsPerSecond / 8;
        _listener.Start();
        _accepting = AcceptLoop();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public long ForwardedBytes => Interlocked.Read(ref _forwarded);

    private async Task AcceptLoop()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptSocketAsync(_stop.Token);
                var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                foreach (var s in new[] { client, server })
                {
                    s.NoDelay = true;
                    s.SendBufferSize = SocketBuffer;
                    s.ReceiveBufferSize = SocketBuffer;
                }
                await server.ConnectAsync(_target, _stop.Token);
                lock (_sockets)
                {
                    _sockets.Add(client);
                    _sockets.Add(server);
                    _pumps.Add(Pump(client, server));
                    _pumps.Add(Pump(server, client));
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task Pump(Socket from, Socket to)
    {
        var buffer = new byte[Chunk];
        var clock = Stopwatch.StartNew();
        double allowance = Chunk;
        double last = 0;
        try
        {
            while (true)
            {
                int n = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                if (n == 0) break;
                while (true)
                {
                    double now = clock.Elapsed.TotalSeconds;
                    allowance = Math.Min(Chunk, allowance + (now - last) * _bytesPerSecond);
                    last = now;
                    if (allowance >= n) break;
                    await Task.Delay(TimeSpan.FromSeconds((n - allowance) / _bytesPerSecond), _stop.Token);
                }
                allowance -= n;
                int sent = 0;
                while (sent < n) sent += await to.SendAsync(buffer.AsMemory(sent, n - sent), SocketFlags.None, _stop.Token);
                Interlocked.Add(ref _forwarded, n);
            }
            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        lock (_sockets) foreach (var s in _sockets) s.Dispose();
        await _accepting;
        Task[] pumps;
        lock (_sockets) pumps = [.. _pumps];
        await Task.WhenAll(pumps);
    }
}
