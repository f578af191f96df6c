using System.IO.Ports;
using CathLab.Wire.Generator;

namespace CathLab.Sims.Generator;

/// <summary>The simulated generator's serial port: decodes frames, executes each command once (answers a repeated
/// sequence number from memory), answers damaged frames with FrameError, and delivers events reliably. Frames go out
/// through a <see cref="SerialFrameWriter"/>, so a dead line never holds up the generator's state machine.
/// While the station is not heard (no valid frame for a heartbeat window) events are kept, not sent: a real line
/// carries nothing to a closed port, and a pseudo-terminal would otherwise store them for the station's return.</summary>
public sealed class GeneratorSerialEndpoint : IGeneratorEventSink, IDisposable
{
    private static readonly TimeSpan InterByteSilence = TimeSpan.FromMilliseconds(20);
    private const int IdleReadTimeoutMs = 10;
    // Room for a go-back-N burst of events (32) several times over, plus answers, while the writer waits for a core.
    private const int WriteQueueFrames = 256;
    private readonly SerialPort _port;
    private readonly SerialLineDamage _damage;
    private readonly GeneratorFrameDecoder _decoder = new();
    private readonly ReliableEventSender _eventSender;
    private readonly Lock _writeGate = new();
    private readonly byte[] _frameBuffer = new byte[GeneratorFrame.MaxFrame];
    private readonly byte[] _lastAnswer = new byte[GeneratorFrame.MaxFrame];
    private readonly Thread _reader;
    private readonly SerialFrameWriter _writer;
    private readonly long[] _executed = new long[256];
    private readonly TimeProvider _time;
    private readonly long _startTimestamp;
    private volatile bool _stopped;
    private volatile bool _sessionOpen;
    private long _stationHeardTicks = long.MinValue / 2;
    private long _stationSilenceTicks = TimeSpan.FromMilliseconds(250).Ticks;
    private int _lastAnswerLength;
    private int _lastSequence = -1;
    private int _lastTransmissions;

    /// <param name="time">The clock of the inter-byte timeout, event re-sends and the station's silence (tests move it by hand).</param>
    public GeneratorSerialEndpoint(string portPath, int baudRate, SerialFaultOptions faults, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _startTimestamp = _time.GetTimestamp();
        faults.Validate();
        _damage = new SerialLineDamage(faults);
        _port = new SerialPort(portPath, baudRate, Parity.None, 8, StopBits.One)
        {
            Handshake = Handshake.None,
            ReadTimeout = IdleReadTimeoutMs,
            WriteTimeout = 1000,
        };
        _port.Open();
        _writer = new SerialFrameWriter(frame => _port.BaseStream.Write(frame.Span), WriteQueueFrames, GeneratorFrame.MaxFrame, "sim generator serial writer");
        _eventSender = new ReliableEventSender(SendEventFrame, TimeSpan.FromMilliseconds(60));
        _reader = new Thread(ReadLoop) { IsBackground = true, Name = "sim generator serial" };
    }

    public SimulatedGenerator? Generator { get; private set; }

    /// <summary>While silent the generator neither reads nor answers, as a hung controller would; its heartbeat
    /// watchdog then stops emission.</summary>
    public bool Silent { get; set; }

    public SerialFaultOptions Faults
    {
        get => _damage.Options;
        set
        {
            value.Validate();
            _damage.Options = value;
        }
    }

    public long FramesReceived { get; private set; }

    /// <summary>Bytes read from the line (before any simulated damage).</summary>
    public long BytesReceived => Interlocked.Read(ref _bytesReceived);
    private long _bytesReceived;
    public long DamagedFrames { get; private set; }
    public long DuplicateCommands { get; private set; }

    /// <summary>Partial frames dropped after 20 ms of line silence (their STX skipped; see docs/generator-protocol.md).</summary>
    public long PartialFramesDropped => Interlocked.Read(ref _partialFramesDropped);
    private long _partialFramesDropped;
    public long BytesCorrupted => _damage.Corrupted;
    public long BytesDropped => _damage.Dropped;

    /// <summary>Frames the line could not take (write queue full while the line stalled or was gone).</summary>
    public long FramesUnsent => _writer.Dropped;

    /// <summary>Writes that failed or timed out (a dead or stalled line).</summary>
    public long WriteFailures => _writer.Failed;

    /// <summary>Events discarded because the backlog of unacknowledged events was full (announced by EventsLost).</summary>
    public long EventsLost => _eventSender.EventsLost;

    /// <summary>How often a command of <paramref name="type"/> was executed (repeats answered from memory not counted).</summary>
    public long Executed(MessageType type) => Interlocked.Read(ref _executed[(byte)type]);

    public void Start(SimulatedGenerator generator)
    {
        Generator = generator;
        Volatile.Write(ref _stationSilenceTicks, TimeSpan.FromMilliseconds(generator.Options.Capabilities.HeartbeatWindowMs).Ticks);
        _reader.Start();
    }

    public void Publish(GeneratorEvent generatorEvent)
    {
        long now = Now();
        if (_sessionOpen && !Silent) _eventSender.Publish(generatorEvent, now, transmit: StationHeard(now));
    }

    private bool StationHeard(long nowTicks) => nowTicks - Volatile.Read(ref _stationHeardTicks) <= Volatile.Read(ref _stationSilenceTicks);

    private void ReadLoop()
    {
        var buffer = new byte[512];
        long lastByteTicks = 0;
        while (!_stopped)
        {
            int n;
            try
            {
                n = ReadOrWaitForTheRestOfAFrame(buffer);
            }
            catch (TimeoutException)
            {
                n = 0;
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or OperationCanceledException)
            {
                if (_stopped) return;
                Thread.Sleep(50);
                continue;
            }
            long now = Now();
            if (n == 0)
            {
                if (_decoder.HasPartialFrame && now - lastByteTicks >= InterByteSilence.Ticks)
                {
                    _decoder.DropPartialFrame();
                    Interlocked.Increment(ref _partialFramesDropped);
                    DrainDecoder();
                }
            }
            else
            {
                lastByteTicks = now;
                Interlocked.Add(ref _bytesReceived, n);
                if (Silent) continue;
                n = _damage.Apply(buffer.AsSpan(0, n));
                var span = buffer.AsSpan(0, n);
                while (!span.IsEmpty)
                {
                    int taken = _decoder.Append(span);
                    span = span[taken..];
                    DrainDecoder();
                }
            }
            // After the answers to what just came: re-sends queue behind them.
            now = Now();
            if (!Silent && StationHeard(now)) _eventSender.RetransmitIfDue(now);
        }
    }

    private long Now() => _time.GetElapsedTime(_startTimestamp).Ticks;

    /// <summary>Reads what the line has. While part of a frame waits, the driver is asked every millisecond whether more
    /// has come, so the partial frame is dropped within about a millisecond of its 20 ms of silence
    /// (docs/generator-protocol.md): System.IO.Ports on Unix ends a read's timeout only at a 30 ms resolution.</summary>
    private int ReadOrWaitForTheRestOfAFrame(byte[] buffer)
    {
        if (_decoder.HasPartialFrame && _port.BytesToRead == 0)
        {
            Thread.Sleep(1);
            return 0;
        }
        return _port.Read(buffer, 0, buffer.Length);
    }

    private void DrainDecoder()
    {
        while (true)
        {
            switch (_decoder.TryDecode())
            {
                case DecodeOutcome.NeedMoreBytes:
                    return;
                case DecodeOutcome.DamagedFrame:
                    DamagedFrames++;
                    Span<byte> reason = [(byte)_decoder.ErrorReason];
                    Send(_decoder.Sequence, MessageType.FrameError, reason);
                    break;
                case DecodeOutcome.Frame:
                    FramesReceived++;
                    Volatile.Write(ref _stationHeardTicks, Now());
                    Dispatch();
                    break;
            }
        }
    }

    private void Dispatch()
    {
        var type = _decoder.Type;
        ushort sequence = _decoder.Sequence;
        if (type == MessageType.EventAck)
        {
            _eventSender.Acknowledge(sequence, Now());
            return;
        }
        if (type == MessageType.Heartbeat)
        {
            HeartbeatArrived(sequence);
            return;
        }
        if (type != MessageType.Identify && sequence == _lastSequence)
        {
            DuplicateCommands++;
            _lastTransmissions++;
            if (!AnswerWithheld(type)) SendRaw(_lastAnswer.AsSpan(0, _lastAnswerLength));
            return;
        }
        if (type == MessageType.Identify)
        {
            _eventSender.Restart();
            _sessionOpen = true;
        }
        Span<byte> answer = stackalloc byte[GeneratorFrame.MaxPayload];
        answer[0] = (byte)type;
        var writer = new PayloadWriter(answer[1..]);
        var refusal = Generator!.Execute(type, _decoder.Payload, ref writer);
        int length;
        if (refusal is { } refused)
        {
            var nak = new PayloadWriter(answer);
            refused.Write(ref nak);
            length = GeneratorFrame.Encode(_lastAnswer, sequence, MessageType.Nak, nak.Written);
        }
        else
        {
            length = GeneratorFrame.Encode(_lastAnswer, sequence, MessageType.Ack, answer[..(writer.Length + 1)]);
        }
        _lastAnswerLength = length;
        _lastSequence = sequence;
        _lastTransmissions = 1;
        Interlocked.Increment(ref _executed[(byte)type]);
        if (!AnswerWithheld(type)) SendRaw(_lastAnswer.AsSpan(0, length));
    }

    /// <summary>A Heartbeat stands outside the command memory (docs/generator-protocol.md): it restarts the window every
    /// time it arrives and leaves the remembered SEQ and answer alone, so the station may send it while a command is
    /// outstanding and then retry that command with its SEQ, to be answered from memory.</summary>
    private void HeartbeatArrived(ushort sequence)
    {
        Span<byte> answer = stackalloc byte[GeneratorFrame.MaxPayload];
        answer[0] = (byte)MessageType.Heartbeat;
        var writer = new PayloadWriter(answer[1..]);
        var refusal = Generator!.Execute(MessageType.Heartbeat, _decoder.Payload, ref writer);
        Interlocked.Increment(ref _executed[(byte)MessageType.Heartbeat]);
        if (refusal is { } refused)
        {
            var nak = new PayloadWriter(answer);
            refused.Write(ref nak);
            Send(sequence, MessageType.Nak, nak.Written);
        }
        else
        {
            Send(sequence, MessageType.Ack, answer[..(writer.Length + 1)]);
        }
    }

    private bool AnswerWithheld(MessageType type) =>
        type is not (MessageType.Identify or MessageType.Heartbeat) && _lastTransmissions <= _damage.Options.WithheldAnswers;

    private void SendEventFrame(ushort sequence, ReadOnlySpan<byte> payload, bool resend) => Send(sequence, MessageType.Event, payload, resend);

    private void Send(ushort sequence, MessageType type, ReadOnlySpan<byte> payload, bool resend = false)
    {
        lock (_writeGate)
        {
            int length = GeneratorFrame.Encode(_frameBuffer, sequence, type, payload);
            SendRawLocked(_frameBuffer.AsSpan(0, length), resend);
        }
    }

    private void SendRaw(ReadOnlySpan<byte> frame)
    {
        lock (_writeGate) SendRawLocked(frame, resend: false);
    }

    private void SendRawLocked(ReadOnlySpan<byte> frame, bool resend)
    {
        if (Silent || _stopped) return;
        Span<byte> damaged = stackalloc byte[frame.Length];
        frame.CopyTo(damaged);
        int n = _damage.Apply(damaged);
        // A full queue means the line is stalled or gone: the frame is lost, as on a real line, and the protocol recovers it.
        _writer.TryEnqueue(damaged[..n], resend);
    }

    public void Dispose()
    {
        _stopped = true;
        if (_reader.IsAlive) _reader.Join(TimeSpan.FromSeconds(2));
        _writer.Dispose();
        _port.Dispose();
    }
}
