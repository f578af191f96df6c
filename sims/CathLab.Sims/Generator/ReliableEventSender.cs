using CathLab.Wire.Generator;

namespace CathLab.Sims.Generator;

/// <summary>The generator's half of event delivery: numbers events, keeps them until acknowledged, and sends the
/// unacknowledged ones again (go-back-N) when the oldest has waited for the retransmit interval.</summary>
public sealed class ReliableEventSender(Action<ushort, ReadOnlyMemory<byte>> sendFrame, TimeSpan retransmitAfter, int capacity = 4096)
{
    private readonly Lock _gate = new();
    private readonly LinkedList<(ushort Sequence, byte[] Payload)> _unacknowledged = new();
    private const int RetransmitWindow = 32;
    private ushort _nextSequence = 1;
    private long _oldestSentAt;

    /// <summary>Events dropped because the station did not acknowledge for so long that the queue filled.</summary>
    public long Overflowed { get; private set; }

    public int Pending
    {
        get { lock (_gate) return _unacknowledged.Count; }
    }

    public void Publish(GeneratorEvent generatorEvent, long nowTicks)
    {
        Span<byte> buffer = stackalloc byte[GeneratorFrame.MaxPayload];
        var writer = new PayloadWriter(buffer);
        generatorEvent.Write(ref writer);
        byte[] payload = writer.Written.ToArray();
        lock (_gate)
        {
            if (_unacknowledged.Count >= capacity)
            {
                _unacknowledged.RemoveFirst();
                Overflowed++;
            }
            ushort sequence = _nextSequence++;
            if (_unacknowledged.Count == 0) _oldestSentAt = nowTicks;
            _unacknowledged.AddLast((sequence, payload));
            sendFrame(sequence, payload);
        }
    }

    /// <summary>The station has every event up to and including <paramref name="sequence"/>.</summary>
    public void Acknowledge(ushort sequence, long nowTicks)
    {
        lock (_gate)
        {
            bool removed = false;
            while (_unacknowledged.First is { } first && (short)(first.Value.Sequence - sequence) <= 0)
            {
                _unacknowledged.RemoveFirst();
                removed = true;
            }
            if (removed) _oldestSentAt = nowTicks;
        }
    }

    public void RetransmitIfDue(long nowTicks)
    {
        lock (_gate)
        {
            if (_unacknowledged.Count == 0 || nowTicks - _oldestSentAt < retransmitAfter.Ticks) return;
            int sent = 0;
            foreach (var (sequence, payload) in _unacknowledged)
            {
                if (sent++ == RetransmitWindow) break;
                sendFrame(sequence, payload);
            }
            _oldestSentAt = nowTicks;
        }
    }

    /// <summary>A new session (Identify): forget old events and number from 1 again.</summary>
    public void Restart()
    {
        lock (_gate)
        {
            _unacknowledged.Clear();
            _nextSequence = 1;
        }
    }
}
