using System.Diagnostics;
using System.Net.Sockets;
using CathLab.Acquisition.Frames;
using CathLab.Wire.FrameLink;
using CathLab.Wire.Generator;
using Microsoft.Extensions.Logging;

namespace CathLab.Acquisition.Sources;

/// <summary>The detector's frame link (docs/frame-link.md): reads each frame straight into a pooled buffer.
/// A gap in sequence numbers or an empty pool is reported as lost frames; a broken connection is retried.</summary>
public sealed class FrameLinkSource(string host, int port, FramePool pool, ILogger<FrameLinkSource> logger) : IFrameSource
{
    private readonly byte[] _discard = new byte[1024 * 1024 * sizeof(ushort)];
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private NetworkStream? _stream;
    private Task? _loop;
    private long _stationSequence;
    private uint? _lastSequence;

    public string Description => $"frame link {host}:{port}";

    private int _disposed;

    public event Action<Frame>? FrameArrived;
    public event Action<long>? FramesLost;

    public bool Connected => _stream is not null;
    public long Received { get; private set; }
    public long Lost { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await ConnectAsync(cancellationToken);
        _loop = Task.Run(() => RunAsync(_stop.Token), CancellationToken.None);
    }

    public async Task RequestDarkFramesAsync(int count, CancellationToken cancellationToken) =>
        await SendAsync(FrameLinkRequest.DarkFrames(count), cancellationToken);

    private async Task ConnectAsync(CancellationToken cancellationToken)
    {
        var client = new TcpClient { NoDelay = true, ReceiveBufferSize = 4 << 20 };
        try
        {
            await client.ConnectAsync(host, port, cancellationToken);
        }
        catch (SocketException e)
        {
            client.Dispose();
            throw new IOException($"cannot reach the detector's frame link at {host}:{port}: {e.Message}", e);
        }
        _stream = client.GetStream();
        _lastSequence = null;
        await SendAsync(FrameLinkRequest.Subscribe, cancellationToken);
        logger.LogInformation("frame link connected to {Host}:{Port}", host, port);
    }

    private async Task SendAsync(FrameLinkRequest request, CancellationToken cancellationToken)
    {
        var stream = _stream ?? throw new IOException("the frame link is not connected");
        var bytes = new byte[FrameLinkRequest.Size];
        request.Write(bytes);
        await _writeGate.WaitAsync(cancellationToken);
        try { await stream.WriteAsync(bytes, cancellationToken); }
        finally { _writeGate.Release(); }
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (_stream is null) await ConnectAsync(cancellationToken);
                await ReadFramesAsync(new FrameLinkStreamReader(_stream!), cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is IOException or EndOfStreamException or InvalidDataException or SocketException or ObjectDisposedException)
            {
                logger.LogError("frame link {Host}:{Port} failed: {Reason}; reconnecting", host, port, e.Message);
                _stream?.Dispose();
                _stream = null;
                try { await Task.Delay(250, cancellationToken); } catch (OperationCanceledException) { return; }
            }
        }
    }

    private async Task ReadFramesAsync(FrameLinkStreamReader reader, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var header = await reader.ReadHeaderAsync(cancellationToken);
            if (header.Type is not (FrameLinkMessageType.Frame or FrameLinkMessageType.DarkFrame))
            {
                await reader.ReadPayloadAsync(header, _discard, cancellationToken);
                continue;
            }
            int pixels = header.Width * header.Height;
            if (header.PayloadLength != pixels * sizeof(ushort) || pixels > pool.MaxPixelsPerFrame)
                throw new InvalidDataException($"frame of {header.Width}×{header.Height} with {header.PayloadLength} payload bytes does not fit the station's buffers");
            CountGap(header.Sequence);
            if (!pool.TryRent(out var frame))
            {
                await reader.ReadPayloadAsync(header, _discard, cancellationToken);
                ReportLost(1);
                continue;
            }
            try
            {
                await reader.ReadPayloadAsync(header, frame.BytesFor(pixels), cancellationToken);
            }
            catch
            {
                frame.Release();
                throw;
            }
            frame.Info = new FrameInfo(
                _stationSequence, header.PulseId, header.TimestampMicroseconds, header.Width, header.Height, header.BitsStored,
                header.Technique, header.ExposureKind == 0 ? null : (ExposureKind)header.ExposureKind, header.AirKermaNanoGray,
                header.Type == FrameLinkMessageType.DarkFrame) { ReceivedTimestamp = Stopwatch.GetTimestamp() };
            Received++;
            var handler = FrameArrived;
            if (handler is null) frame.Release();
            else handler(frame);
        }
    }

    /// <summary>Advances the station's own frame number; a gap in the detector's numbers (within one connection)
    /// is reported as lost frames and leaves the same gap in the station's numbers.</summary>
    private void CountGap(uint sequence)
    {
        if (_lastSequence is { } last && sequence != last + 1)
        {
            long missing = (uint)(sequence - last - 1);
            ReportLost(missing);
            _stationSequence += missing;
        }
        _lastSequence = sequence;
        _stationSequence++;
    }

    private void ReportLost(long count)
    {
        Lost += count;
        logger.LogWarning("frame link lost {Count} frame(s)", count);
        FramesLost?.Invoke(count);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _stop.Cancel();
        _stream?.Dispose();
        if (_loop is not null) await _loop;
        _stop.Dispose();
        _writeGate.Dispose();
    }
}
