using CathLab.Wire.Generator;
using Microsoft.Extensions.Logging;

namespace CathLab.FirmwareBridge.Link;

/// <summary>The reader lane: one dedicated thread that reads the line with blocking, bounded reads, decodes frames, drops
/// a partial frame after the inter-byte silence, counts damaged frames and hands every good frame to the dispatcher.
/// <see cref="Feed"/> and <see cref="Silence"/> are the steps the thread takes (tests take them directly).</summary>
internal sealed class FrameReader(SerialLine line, FrameDispatcher dispatcher, LinkStatistics statistics, LinkClock clock, LinkTimings timings, ILogger logger)
{
    private readonly byte[] _buffer = new byte[512];
    private GeneratorFrameDecoder _decoder = new();
    private long _discarded;
    private long _lastByteAt;
    private Thread? _thread;

    public void Start(CancellationToken stop)
    {
        _thread = new Thread(() => Run(stop)) { IsBackground = true, Name = "generator-link reader", Priority = ThreadPriority.AboveNormal };
        _thread.Start();
    }

    public void Join(TimeSpan timeout) => _thread?.Join(timeout);

    private void Run(CancellationToken stop)
    {
        LinkThreadPriority.RaiseCurrentThread(logger);
        ISerialConnection? current = null;
        while (!stop.IsCancellationRequested)
        {
            var connection = line.WaitForConnection(50);
            if (connection is null) continue;
            if (!ReferenceEquals(connection, current))
            {
                current = connection;
                Reset(); // a new line starts clean: nothing of the old one's partial frame survives
            }
            int n;
            try
            {
                n = connection.Read(_buffer, timings.InterByteSilenceMs);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or UnauthorizedAccessException or OperationCanceledException)
            {
                line.Fail(connection, e);
                continue;
            }
            if (n == 0) Silence(clock.NowMs);
            else Feed(_buffer.AsSpan(0, n), clock.NowMs);
        }
    }

    public void Reset()
    {
        _decoder = new GeneratorFrameDecoder();
        _discarded = 0;
    }

    /// <summary>Bytes that arrived at <paramref name="now"/>.</summary>
    public void Feed(ReadOnlySpan<byte> bytes, long now)
    {
        _lastByteAt = now;
        int offset = 0;
        while (offset < bytes.Length)
        {
            offset += _decoder.Append(bytes[offset..]);
            Drain();
        }
    }

    /// <summary>No bytes came: a partial frame older than the inter-byte silence is dropped.</summary>
    public void Silence(long now)
    {
        if (_decoder.HasPartialFrame && now - _lastByteAt >= timings.InterByteSilenceMs)
        {
            _decoder.DropPartialFrame();
            Drain();
        }
    }

    private void Drain()
    {
        while (true)
        {
            var outcome = _decoder.TryDecode();
            statistics.BytesDiscarded(_decoder.DiscardedBytes - _discarded);
            _discarded = _decoder.DiscardedBytes;
            if (outcome == DecodeOutcome.NeedMoreBytes) return;
            if (outcome == DecodeOutcome.DamagedFrame)
            {
                statistics.FrameDamaged();
                continue;
            }
            try
            {
                dispatcher.Dispatch(_decoder.Sequence, _decoder.Type, _decoder.Payload);
            }
            catch (MalformedPayloadException e)
            {
                logger.LogWarning("Malformed {Type} frame from the generator ignored: {Message}", _decoder.Type, e.Message);
            }
        }
    }
}
