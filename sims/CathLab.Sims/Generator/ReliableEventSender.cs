using CathLab.Wire.Generator;

namespace CathLab.Sims.Generator;

/// <summary>Sends one event frame: its SEQ, its payload, and whether it is a re-send (go-back-N) of an event sent before.</summary>
public delegate void EventFrameSender(ushort sequence, ReadOnlySpan<byte> payload, bool resend);

/// <summary>The generator's half of event delivery: numbers events, keeps them until acknowledged, and sends the
/// unacknowledged ones again (go-back-N) when the oldest has waited for the retransmit interval.
/// The backlog is bounded: an event that finds it full discards the oldest, and an <see cref="EventsLostEvent"/> at the
/// head of the backlog, in the SEQ of the first event discarded, counts them; the events behind it are renumbered to
/// follow it, so a receiver that takes only the next SEQ in order still finds every SEQ (docs/generator-protocol.md).</summary>
public sealed class ReliableEventSender
{
    /// <summary>At 60 pulses/s about four seconds without an acknowledgement; a station that is heard acknowledges at once.</summary>
    public const int DefaultCapacity = 256;
    private const int RetransmitWindow = 32;
    private readonly EventFrameSender _sendFrame;
    private readonly long _retransmitAfterTicks;
    private readonly Lock _gate = new();
    private readonly byte[][] _slots;
    private readonly int[] _lengths;
    private int _head;
    private int _count;
    private ushort _firstSequence = 1;
    private uint _lostAtHead;
    private long _oldestSentAt;
    private long _eventsLost;

    public ReliableEventSender(EventFrameSender sendFrame, TimeSpan retransmitAfter, int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 2);
        _sendFrame = sendFrame;
        _retransmitAfterTicks = retransmitAfter.Ticks;
        _slots = new byte[capacity][];
        for (int i = 0; i < capacity; i++) _slots[i] = new byte[GeneratorFrame.MaxPayload];
        _lengths = new int[capacity];
    }

    /// <summary>Events discarded because the station did not acknowledge for so long that the backlog filled.</summary>
    public long EventsLost => Interlocked.Read(ref _eventsLost);

    public int Pending
    {
        get { lock (_gate) return _count; }
    }

    /// <summary>Numbers and keeps <paramref name="generatorEvent"/>; sends it at once unless <paramref name="transmit"/> is
    /// false (no station is listening: it goes out with the next re-send).</summary>
    public void Publish(GeneratorEvent generatorEvent, long nowTicks, bool transmit = true)
    {
        lock (_gate)
        {
            if (_count == _slots.Length) DiscardOldest();
            if (_count == 0) _oldestSentAt = nowTicks;
            int slot = Slot(_count);
            var writer = new PayloadWriter(_slots[slot]);
            generatorEvent.Write(ref writer);
            _lengths[slot] = writer.Length;
            _count++;
            if (transmit) _sendFrame((ushort)(_firstSequence + _count - 1), _slots[slot].AsSpan(0, writer.Length), resend: false);
        }
    }

    /// <summary>The station has every event up to and including <paramref name="sequence"/>.</summary>
    public void Acknowledge(ushort sequence, long nowTicks)
    {
        lock (_gate)
        {
            bool removed = false;
            while (_count > 0 && (short)(ushort)(_firstSequence - sequence) <= 0)
            {
                RemoveHead();
                _lostAtHead = 0;
                _firstSequence++;
                removed = true;
            }
            if (removed) _oldestSentAt = nowTicks;
        }
    }

    public void RetransmitIfDue(long nowTicks)
    {
        lock (_gate)
        {
            if (_count == 0 || nowTicks - _oldestSentAt < _retransmitAfterTicks) return;
            for (int i = 0; i < Math.Min(_count, RetransmitWindow); i++)
            {
                int slot = Slot(i);
                _sendFrame((ushort)(_firstSequence + i), _slots[slot].AsSpan(0, _lengths[slot]), resend: true);
            }
            _oldestSentAt = nowTicks;
        }
    }

    /// <summary>A new session (Identify): forget the old session's events, acknowledged or not, and number from 1 again.</summary>
    public void Restart()
    {
        lock (_gate)
        {
            _count = 0;
            _lostAtHead = 0;
            _firstSequence = 1;
        }
    }

    /// <summary>Makes room for one event: discards the oldest event(s) behind the loss notice at the head, which keeps
    /// the head's SEQ (the first discarded event's) and counts every event discarded since it was last acknowledged.</summary>
    private void DiscardOldest()
    {
        int discard = 1;
        if (_lostAtHead == 0) discard = 2; // one for the event to come, one for the notice itself
        else RemoveHead();
        for (int i = 0; i < discard && _count > 0; i++)
        {
            RemoveHead();
            _lostAtHead++;
            Interlocked.Increment(ref _eventsLost);
        }
        _head = (_head + _slots.Length - 1) % _slots.Length;
        _count++;
        var writer = new PayloadWriter(_slots[_head]);
        new EventsLostEvent(_lostAtHead).Write(ref writer);
        _lengths[_head] = writer.Length;
    }

    private void RemoveHead()
    {
        _head = (_head + 1) % _slots.Length;
        _count--;
    }

    private int Slot(int index) => (_head + index) % _slots.Length;
}
