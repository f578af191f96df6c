using System.Net.Sockets;
using System.Threading.Channels;
using CathLab.Wire.FrameLink;

namespace CathLab.Sims.Detector;

/// <summary>One client connection: a reader for its requests and a writer that drains a queue of
/// messages. Exposed frames beyond the queue depth are dropped for this client only, and the
/// sequence number they would have used is skipped so the client sees the gap.</summary>
internal sealed class FrameLinkSession
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly IFrameLinkDetector _detector;
    private readonly int _depth;
    private readonly Channel<Outgoing> _queue = Channel.CreateUnbounded<Outgoing>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _gate = new();
    private uint _sequence;
    private int _queuedFrames;
    private bool _closed;
    private long _framesDropped;
    private volatile bool _subscribed;

    public FrameLinkSession(Socket socket, IFrameLinkDetector detector, int depth)
    {
        _socket = socket;
        _socket.NoDelay = true;
        _socket.SendBufferSize = 4 * 1024 * 1024;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _detector = detector;
        _depth = depth;
    }

    public bool Subscribed => _subscribed;
    public bool Closed { get { lock (_gate) { return _closed; } } }
    public long FramesDropped => Interlocked.Read(ref _framesDropped);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        SendControl(FrameLinkMessageType.Hello, []);
        var writer = WriteLoopAsync(cancellationToken);
        bool flushBeforeClose = await ReadLoopAsync(cancellationToken).ConfigureAwait(false);
        Complete();
        if (!flushBeforeClose)
        {
            _stream.Dispose();
        }
        try
        {
            await writer.ConfigureAwait(false);
        }
        finally
        {
            _stream.Dispose();
            DrainQueue();
        }
    }

    /// <summary>Queues an exposed frame unless this client is too far behind.</summary>
    public void OfferFrame(FrameBuffer frame)
    {
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }
            uint sequence = ++_sequence;
            if (_queuedFrames >= _depth)
            {
                _framesDropped++;
                return;
            }
            Enqueue(new Outgoing(sequence, frame, null, false));
        }
    }

    /// <summary>Queues a dark frame this client asked for; never dropped.</summary>
    public void SendDarkFrame(FrameBuffer frame)
    {
        lock (_gate)
        {
            if (!_closed)
            {
                Enqueue(new Outgoing(++_sequence, frame, null, false));
            }
        }
    }

    /// <summary>Uses up a sequence number for a frame the detector lost, so the client sees the gap.</summary>
    public void SkipSequence()
    {
        lock (_gate)
        {
            _sequence++;
        }
    }

    public void Close()
    {
        Complete();
        _stream.Dispose();
    }

    private void Enqueue(in Outgoing item)
    {
        if (item.Frame is { } frame)
        {
            frame.AddReference();
            _queuedFrames++;
        }
        _queue.Writer.TryWrite(item);
    }

    private void SendControl(FrameLinkMessageType type, byte[] payload, bool closeAfter = false)
    {
        lock (_gate)
        {
            if (!_closed)
            {
                _queue.Writer.TryWrite(new Outgoing(++_sequence, null, new ControlMessage(type, payload), closeAfter));
            }
        }
    }

    private void Complete()
    {
        lock (_gate)
        {
            _closed = true;
            _queue.Writer.TryComplete();
        }
    }

    /// <summary>Reads requests until the client leaves or breaks the framing; true when queued
    /// messages (an error) should still be flushed before closing.</summary>
    private async Task<bool> ReadLoopAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[FrameLinkRequest.Size];
        try
        {
            while (true)
            {
                await _stream.ReadExactlyAsync(buffer, cancellationToken).ConfigureAwait(false);
                var framingError = FrameLinkRequest.TryRead(buffer, out var request);
                if (framingError is { } code)
                {
                    SendError(code, 0, $"request rejected: {Describe(code)}; closing the connection", closeAfter: true);
                    return true;
                }
                if (request.Validate() is { } refusal)
                {
                    SendError(refusal, (ushort)request.Type, $"request {(ushort)request.Type} with argument {request.Argument} refused: {Describe(refusal)}");
                    continue;
                }
                Handle(request);
            }
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or ObjectDisposedException or OperationCanceledException or SocketException)
        {
            return false;
        }
    }

    private void Handle(in FrameLinkRequest request)
    {
        var ack = new byte[FrameLinkAck.Size];
        FrameLinkAck.Write(ack, request);
        switch (request.Type)
        {
            case FrameLinkRequestType.Subscribe:
                _subscribed = true;
                SendControl(FrameLinkMessageType.Ack, ack);
                break;
            case FrameLinkRequestType.Unsubscribe:
                _subscribed = false;
                SendControl(FrameLinkMessageType.Ack, ack);
                break;
            case FrameLinkRequestType.SetMode:
                _detector.SetMode(DetectorModeExtensions.FromSide((int)request.Argument));
                SendControl(FrameLinkMessageType.Ack, ack);
                break;
            case FrameLinkRequestType.DarkFrames:
                SendControl(FrameLinkMessageType.Ack, ack);
                _detector.RequestDarkFrames(this, (int)request.Argument);
                break;
        }
    }

    private void SendError(FrameLinkErrorCode code, ushort requestType, string reason, bool closeAfter = false)
    {
        var payload = new byte[FrameLinkError.MaxSize];
        int length = new FrameLinkError(code, requestType, reason).Write(payload);
        SendControl(FrameLinkMessageType.Error, payload[..length], closeAfter);
    }

    private static string Describe(FrameLinkErrorCode code) => code switch
    {
        FrameLinkErrorCode.BadMagic => "bad magic (expected \"CLFR\")",
        FrameLinkErrorCode.UnsupportedVersion => $"unsupported version (this detector speaks version {FrameLinkRequest.Version})",
        FrameLinkErrorCode.BadCrc => "CRC-32 mismatch",
        FrameLinkErrorCode.UnknownRequest => "unknown request type",
        FrameLinkErrorCode.BadArgument => "argument out of range",
        _ => code.ToString(),
    };

    private async Task WriteLoopAsync(CancellationToken cancellationToken)
    {
        var header = new byte[FrameHeader.Size];
        var reader = _queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (reader.TryRead(out var item))
                {
                    try
                    {
                        if (item.Frame is { } frame)
                        {
                            (frame.Header with { Sequence = item.Sequence }).Write(header);
                            await _stream.WriteAsync(header, cancellationToken).ConfigureAwait(false);
                            await _stream.WriteAsync(frame.Payload, cancellationToken).ConfigureAwait(false);
                        }
                        else if (item.Control is { } control)
                        {
                            int side = _detector.Mode.Side();
                            new FrameHeader(control.Type, item.Sequence, 0, 0, (ushort)side, (ushort)side, (ushort)_detector.BitsStored,
                                0, 0, 0, 0, 0, (uint)control.Payload.Length).Write(header);
                            await _stream.WriteAsync(header, cancellationToken).ConfigureAwait(false);
                            await _stream.WriteAsync(control.Payload, cancellationToken).ConfigureAwait(false);
                        }
                    }
                    finally
                    {
                        ReleaseQueued(item);
                    }
                    if (item.CloseAfter)
                    {
                        await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                        _socket.Shutdown(SocketShutdown.Both);
                        return;
                    }
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or SocketException)
        {
            // The client went away; the session ends and its queued frames go back to the pool.
        }
        finally
        {
            Complete();
        }
    }

    private void ReleaseQueued(in Outgoing item)
    {
        if (item.Frame is { } frame)
        {
            lock (_gate)
            {
                _queuedFrames--;
            }
            frame.Release();
        }
    }

    private void DrainQueue()
    {
        while (_queue.Reader.TryRead(out var item))
        {
            ReleaseQueued(item);
        }
    }

    private readonly record struct Outgoing(uint Sequence, FrameBuffer? Frame, ControlMessage? Control, bool CloseAfter);

    private sealed record ControlMessage(FrameLinkMessageType Type, byte[] Payload);
}
