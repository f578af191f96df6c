using System.Net.Sockets;
using CathLab.Wire.FrameLink;

namespace CathLab.Bench.Links;

/// <summary>A frame-link client on its own task that receives every message into one reused buffer and
/// counts frames and sequence gaps (lost frames), with the latency from pulse to receipt.</summary>
internal sealed class FrameLinkReceiver : IDisposable
{
    private readonly TcpClient _tcp;
    private readonly FrameLinkStreamReader _reader;
    private readonly byte[] _payload = new byte[1024 * 1024 * 2];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly Func<long>? _clockMicroseconds;
    private int _received;
    private long _lost;
    private uint _lastSequence;
    private long _lastReceipt;
    private readonly object _gate = new();
    private readonly List<long> _latencies = new(100_000);

    private FrameLinkReceiver(TcpClient tcp, Func<long>? clockMicroseconds)
    {
        _tcp = tcp;
        _reader = new FrameLinkStreamReader(tcp.GetStream());
        _clockMicroseconds = clockMicroseconds;
        _loop = Task.Run(ReceiveLoopAsync);
    }

    public int Received => Volatile.Read(ref _received);
    public long Lost => Interlocked.Read(ref _lost);

    /// <summary>Pulse-to-receipt latencies (µs), when a clock shared with the pulse timestamps was given.</summary>
    public IReadOnlyList<long> Latencies => _latencies;

    public static async Task<FrameLinkReceiver> ConnectAsync(int port, Func<long>? clockMicroseconds = null)
    {
        var tcp = new TcpClient { ReceiveBufferSize = 4 << 20 };
        await tcp.ConnectAsync("127.0.0.1", port);
        var request = new byte[FrameLinkRequest.Size];
        FrameLinkRequest.Subscribe.Write(request);
        await tcp.GetStream().WriteAsync(request);
        return new FrameLinkReceiver(tcp, clockMicroseconds);
    }

    /// <summary>When the latest frame arrived, on the clock given at connect (0 without one).</summary>
    public long LastReceiptMicroseconds => Interlocked.Read(ref _lastReceipt);

    public void WaitFor(int frames, TimeSpan? limit = null)
    {
        var guard = System.Diagnostics.Stopwatch.StartNew();
        lock (_gate)
        {
            while (Received < frames)
            {
                if (guard.Elapsed > (limit ?? TimeSpan.FromSeconds(60)) || _loop.IsCompleted)
                {
                    throw new TimeoutException($"received {Received} of {frames} frames");
                }
                Monitor.Wait(_gate, 50);
            }
        }
    }

    private async Task ReceiveLoopAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var header = await _reader.ReadHeaderAsync(_stop.Token);
                await _reader.ReadPayloadAsync(header, _payload, _stop.Token);
                if (_lastSequence != 0 && header.Sequence != _lastSequence + 1)
                {
                    Interlocked.Add(ref _lost, header.Sequence - _lastSequence - 1);
                }
                _lastSequence = header.Sequence;
                if (header.Type == FrameLinkMessageType.Frame)
                {
                    if (_clockMicroseconds is not null)
                    {
                        long now = _clockMicroseconds();
                        _latencies.Add(now - header.TimestampMicroseconds);
                        Interlocked.Exchange(ref _lastReceipt, now);
                    }
                    lock (_gate)
                    {
                        _received++;
                        Monitor.PulseAll(_gate);
                    }
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or EndOfStreamException or ObjectDisposedException)
        {
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _tcp.Dispose();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
        _stop.Dispose();
    }
}
