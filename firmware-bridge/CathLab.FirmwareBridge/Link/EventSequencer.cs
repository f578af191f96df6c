namespace CathLab.FirmwareBridge.Link;

/// <summary>What to do with one event frame from the generator.</summary>
public enum EventVerdict
{
    /// <summary>Identify is outstanding: the old session's events are discarded and not acknowledged.</summary>
    Ignore,
    /// <summary>The next event in order: deliver it and acknowledge its SEQ.</summary>
    Deliver,
    /// <summary>Out of order or repeated: drop it and acknowledge the last in-order SEQ, so go-back-N resends the rest.</summary>
    Drop,
}

/// <summary>The event lane of protocol v1: events are delivered once, in the generator's order. Numbering restarts at 1
/// when Identify is answered; while Identify is outstanding nothing is taken. Used by the reader thread only, apart from
/// the Identify marks the send loop sets, hence the lock.</summary>
public sealed class EventSequencer
{
    private readonly Lock _gate = new();
    private ushort _expected = 1;
    private bool _identifying;

    /// <summary>The SEQ of the last event delivered in order (what a Drop acknowledges).</summary>
    public ushort LastInOrder
    {
        get { lock (_gate) return (ushort)(_expected - 1); }
    }

    public void IdentifySent()
    {
        lock (_gate) _identifying = true;
    }

    /// <summary>Identify was answered (a new session numbering events from 1), or abandoned (<paramref name="answered"/> false).</summary>
    public void IdentifySettled(bool answered)
    {
        lock (_gate)
        {
            _identifying = false;
            if (answered) _expected = 1;
        }
    }

    public EventVerdict Judge(ushort sequence)
    {
        lock (_gate)
        {
            if (_identifying) return EventVerdict.Ignore;
            if (sequence != _expected) return EventVerdict.Drop;
            _expected++;
            return EventVerdict.Deliver;
        }
    }
}
