using System.Collections.Concurrent;
using System.IO.Ports;
using CathLab.Wire.Generator;

namespace CathLab.Sims.Exerciser;

/// <summary>A deliberately plain station side of the generator protocol, written from docs/generator-protocol.md:
/// one command at a time, retries with the same sequence number, EventAck. Engineers use it (cathlab-sim exercise)
/// to check that a generator, simulated or real, speaks the protocol; the simulator's tests drive it too.</summary>
public sealed class GeneratorProbe : IDisposable
{
    private readonly SerialPort _port;
    private readonly GeneratorFrameDecoder _decoder = new();
    private readonly Thread _reader;
    private readonly BlockingCollection<(MessageType Type, ushort Sequence, byte[] Payload, long EventFramesBefore)> _answers = new();
    private readonly Lock _commandGate = new();
    private volatile bool _stopped;
    private ushort _sequence;
    private int _expectedEvent = 1;
    private volatile bool _identifying;

    public GeneratorProbe(string path)
    {
        _port = new SerialPort(path, 115200) { ReadTimeout = 10, Handshake = Handshake.None };
        _port.Open();
        _reader = new Thread(Read) { IsBackground = true };
        _reader.Start();
    }

    public ConcurrentQueue<GeneratorEvent> Events { get; } = new();
    private int _frameErrors;
    public int FrameErrors => Volatile.Read(ref _frameErrors);
    public int Retries { get; private set; }
    public int Timeouts { get; private set; }

    /// <summary>Every FrameError received: the SEQ it carried and its reason.</summary>
    public ConcurrentQueue<(ushort Sequence, RefusalReason Reason)> FrameErrorLog { get; } = new();

    /// <summary>Every Ack and Nak received, with the SEQ it carried.</summary>
    public ConcurrentQueue<(MessageType Type, ushort Sequence)> AnswerLog { get; } = new();

    private long _eventFrames;

    /// <summary>Event frames received, in order or not (stale ones from an old session included).</summary>
    public long EventFrames => Interlocked.Read(ref _eventFrames);

    /// <summary>How many event frames had arrived when the answer that <see cref="Command"/> returned last arrived.</summary>
    public long EventFramesBeforeLastAnswer { get; private set; }

    public TimeSpan AnswerTimeout { get; set; } = TimeSpan.FromMilliseconds(60);
    public int MaxAttempts { get; set; } = 20;

    public IEnumerable<T> EventsOf<T>() where T : GeneratorEvent => Events.OfType<T>();

    /// <summary>Sends a command until an answer with its sequence number comes; returns (ack?, payload after the command byte or the refusal).</summary>
    public (bool Acked, byte[] Answer, Refusal? Refusal) Command(MessageType type, ReadOnlySpan<byte> payload = default)
    {
        lock (_commandGate) return CommandLocked(type, payload);
    }

    private (bool Acked, byte[] Answer, Refusal? Refusal) CommandLocked(MessageType type, ReadOnlySpan<byte> payload)
    {
        ushort sequence = ++_sequence;
        // A new session: its events are numbered from 1; until Identify is answered, events are the old session's.
        if (type == MessageType.Identify) _identifying = true;
        byte[] frame = new byte[GeneratorFrame.MaxFrame];
        int length = GeneratorFrame.Encode(frame, sequence, type, payload);
        int frameErrorResends = 0;
        for (int attempt = 0; attempt < MaxAttempts; attempt++)
        {
            if (attempt > 0) Retries++;
            lock (_port) _port.BaseStream.Write(frame, 0, length);
            var deadline = DateTime.UtcNow + AnswerTimeout;
            while (_answers.TryTake(out var answer, Remaining(deadline)))
            {
                // A FrameError may be stale (for damage seen before this command): resend, but let only silence use up attempts.
                if (answer.Type == MessageType.FrameError)
                {
                    if (frameErrorResends++ < 200) attempt--;
                    break;
                }
                if (answer.Sequence != sequence) continue;
                EventFramesBeforeLastAnswer = answer.EventFramesBefore;
                if (answer.Type == MessageType.Ack) return (true, answer.Payload[1..], null);
                var reader = new PayloadReader(answer.Payload);
                return (false, answer.Payload, Refusal.Read(ref reader));
            }
        }
        Timeouts++;
        throw new TimeoutException($"{type} unanswered after {MaxAttempts} attempts");
    }

    public void SendRaw(ReadOnlySpan<byte> bytes)
    {
        lock (_port) _port.BaseStream.Write(bytes);
    }

    /// <summary>Sends a command that must be acknowledged; a refusal throws with the generator's reason.</summary>
    public byte[] Ack(MessageType type, ReadOnlySpan<byte> payload = default)
    {
        var (acked, answer, refusal) = Command(type, payload);
        return acked ? answer : throw new InvalidOperationException(refusal.ToString());
    }

    public static byte[] Kind(ExposureKind kind) => [(byte)kind];

    public static byte[] Setting(TechniqueSetting setting)
    {
        var buffer = new byte[32];
        var w = new PayloadWriter(buffer);
        setting.Write(ref w);
        return w.Written.ToArray();
    }

    public bool WaitFor(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (condition()) return true;
            Thread.Sleep(5);
        }
        return condition();
    }

    private static TimeSpan Remaining(DateTime deadline)
    {
        var left = deadline - DateTime.UtcNow;
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }

    private void Read()
    {
        var buffer = new byte[256];
        while (!_stopped)
        {
            int n;
            try { n = _port.Read(buffer, 0, buffer.Length); }
            catch (TimeoutException) { n = 0; }
            catch (Exception) when (_stopped) { return; }
            catch (IOException) { Thread.Sleep(20); continue; }
            catch (InvalidOperationException) { return; } // the port closed itself: the line is gone (a pulled cable)
            if (n == 0)
            {
                if (_decoder.HasPartialFrame) _decoder.DropPartialFrame();
            }
            else
            {
                _decoder.Append(buffer.AsSpan(0, n));
            }
            DecodeOutcome outcome;
            while ((outcome = _decoder.TryDecode()) != DecodeOutcome.NeedMoreBytes)
            {
                if (outcome == DecodeOutcome.DamagedFrame) continue;
                if (_decoder.Type == MessageType.Event)
                {
                    Interlocked.Increment(ref _eventFrames);
                    OnEvent(_decoder.Sequence, _decoder.Payload);
                }
                else
                {
                    if (_decoder.Type == MessageType.FrameError)
                    {
                        FrameErrorLog.Enqueue((_decoder.Sequence, _decoder.PayloadLength > 0 ? (RefusalReason)_decoder.Payload[0] : 0));
                        Interlocked.Increment(ref _frameErrors);
                    }
                    else
                    {
                        AnswerLog.Enqueue((_decoder.Type, _decoder.Sequence));
                        if (_identifying && _decoder.PayloadLength > 0 && _decoder.Payload[0] == (byte)MessageType.Identify)
                        {
                            _expectedEvent = 1;
                            _identifying = false;
                        }
                    }
                    _answers.Add((_decoder.Type, _decoder.Sequence, _decoder.Payload.ToArray(), EventFrames));
                }
            }
        }
    }

    private void OnEvent(ushort sequence, ReadOnlySpan<byte> payload)
    {
        if (_identifying) return; // not acknowledged: an old session's number would acknowledge the new session's events
        if (sequence == (ushort)_expectedEvent)
        {
            Events.Enqueue(GeneratorEvent.Read(payload));
            _expectedEvent++;
        }
        byte[] ack = new byte[GeneratorFrame.Overhead];
        GeneratorFrame.Encode(ack, (ushort)(_expectedEvent - 1), MessageType.EventAck, default);
        lock (_port) _port.BaseStream.Write(ack);
    }

    public void Dispose()
    {
        _stopped = true;
        _reader.Join(TimeSpan.FromSeconds(2));
        _port.Dispose();
    }
}
