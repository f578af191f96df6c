using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace CathLab.LiveFeed.Tests.Support;

/// <summary>A TCP relay on 127.0.0.1 that forwards to a target at a limited rate in each direction (a token
/// bucket per direction), with small socket buffers so the relay itself hides little data, and optionally a fixed
/// one-way delay added after the rate (a link's propagation delay: the bytes in flight are then held by the relay).</summary>
internal sealed class ThrottlingRelay : IAsyncDisposable
{
    private const int SmallestChunk = 512;
    private const int SocketBuffer = 8 * 1024;
    private readonly int _chunk;
    // Two chunks: 31 ms at 256 kbit/s, enough to catch up a relay thread woken a little late, no more. With 4 KB a
    // small frame after a pause crossed at once, its acknowledgement measured a link ten times faster than 256 kbit/s,
    // and the pacing let 20 KB queue up (620 ms) on the real rate behind it.
    private readonly int _burst;
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _target;
    private readonly double _bytesPerSecond;
    private readonly TimeSpan _delay;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _sockets = [];
    private readonly List<Task> _pumps = [];
    private readonly Task _accepting;
    private long _forwarded;
    private double _longestLateWakeSeconds;

    public ThrottlingRelay(IPEndPoint target, double bitsPerSecond, TimeSpan delay = default)
    {
        _target = target;
        _delay = delay;
        _bytesPerSecond = bitsPerSecond / 8;
        // A millisecond of the rate per chunk on fast links (tens of Mbit/s): 512-byte chunks would need a wake-up every 80 µs.
        _chunk = Math.Clamp((int)(_bytesPerSecond / 1000), SmallestChunk, 16 * 1024);
        _burst = 2 * _chunk;
        _listener.Start();
        _accepting = AcceptLoop();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public long ForwardedBytes => Interlocked.Read(ref _forwarded);

    /// <summary>The longest a relay thread woke after it meant to (how much the machine's load stretched the link).</summary>
    public double LongestLateWakeMilliseconds
    {
        get
        {
            lock (_sockets) return _longestLateWakeSeconds * 1000;
        }
    }

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
                    s.SendBufferSize = Math.Max(SocketBuffer, 4 * _chunk);
                    s.ReceiveBufferSize = Math.Max(SocketBuffer, 4 * _chunk);
                }
                try
                {
                    await server.ConnectAsync(_target, _stop.Token);
                }
                catch (SocketException)
                {
                    // The target is down for now: this connection is refused, the relay goes on accepting.
                    server.Dispose();
                    client.Dispose();
                    continue;
                }
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

    /// <summary>One direction of the link, on a thread of its own with blocking socket calls: as a thread-pool loop
    /// (await Receive, await Task.Delay per 512-byte chunk) every late continuation on a loaded machine was link
    /// time lost for good, and a stalled pool stalled the "link" itself (a 3.5 KB frame once took 1 s to cross).
    /// The token bucket holds up to two chunks of credit, so a relay thread woken late catches up
    /// to the configured rate instead of falling below it; over any second it still forwards at most the rate plus that.</summary>
    private Task Pump(Socket from, Socket to)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                PumpBlocking(from, to);
            }
            finally
            {
                done.TrySetResult();
            }
        })
        { IsBackground = true, Name = "throttling relay" };
        thread.Start();
        return done.Task;
    }

    private void PumpBlocking(Socket from, Socket to)
    {
        var buffer = new byte[_chunk];
        var clock = Stopwatch.StartNew();
        var delayed = _delay > TimeSpan.Zero ? new DelayLine(this, to, clock) : null;
        double credit = _chunk;
        double last = 0;
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                int n = from.Receive(buffer, SocketFlags.None);
                if (n == 0) break;
                while (true)
                {
                    double now = clock.Elapsed.TotalSeconds;
                    credit = Math.Min(_burst, credit + (now - last) * _bytesPerSecond);
                    last = now;
                    if (credit >= n) break;
                    double wait = (n - credit) / _bytesPerSecond;
                    Thread.Sleep(TimeSpan.FromSeconds(wait));
                    RecordLateness(clock.Elapsed.TotalSeconds - now - wait);
                }
                credit -= n;
                if (delayed is not null)
                {
                    delayed.Add(buffer.AsSpan(0, n));
                    continue;
                }
                int sent = 0;
                while (sent < n) sent += to.Send(buffer, sent, n - sent, SocketFlags.None);
                Interlocked.Add(ref _forwarded, n);
            }
            if (delayed is null) to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
        delayed?.Finish();
    }

    /// <summary>The link's fixed delay: each chunk that has passed the rate waits in a queue until it is due, and a
    /// thread of its own forwards it, so the delay adds to every byte without lowering the rate.</summary>
    private sealed class DelayLine
    {
        private readonly System.Collections.Concurrent.BlockingCollection<(long Due, byte[] Bytes)> _queue = new();
        private readonly ThrottlingRelay _relay;
        private readonly Stopwatch _clock;
        private readonly long _delayTicks;
        private readonly Thread _forwarder;

        public DelayLine(ThrottlingRelay relay, Socket to, Stopwatch clock)
        {
            _relay = relay;
            _clock = clock;
            _delayTicks = (long)(relay._delay.TotalSeconds * Stopwatch.Frequency);
            _forwarder = new Thread(() => Forward(to)) { IsBackground = true, Name = "throttling relay delay" };
            _forwarder.Start();
        }

        public void Add(ReadOnlySpan<byte> bytes) => _queue.Add((_clock.ElapsedTicks + _delayTicks, bytes.ToArray()));

        public void Finish()
        {
            _queue.CompleteAdding();
            _forwarder.Join();
            _queue.Dispose();
        }

        private void Forward(Socket to)
        {
            try
            {
                foreach (var (due, bytes) in _queue.GetConsumingEnumerable(_relay._stop.Token))
                {
                    long wait = due - _clock.ElapsedTicks;
                    if (wait > 0) Thread.Sleep(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency));
                    int sent = 0;
                    while (sent < bytes.Length) sent += to.Send(bytes, sent, bytes.Length - sent, SocketFlags.None);
                    Interlocked.Add(ref _relay._forwarded, bytes.Length);
                }
                to.Shutdown(SocketShutdown.Send);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
            {
            }
        }
    }

    private void RecordLateness(double seconds)
    {
        lock (_sockets) _longestLateWakeSeconds = Math.Max(_longestLateWakeSeconds, seconds);
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
