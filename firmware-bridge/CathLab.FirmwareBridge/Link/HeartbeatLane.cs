namespace CathLab.FirmwareBridge.Link;

/// <summary>What the send loop does for the heartbeat at a given moment.</summary>
internal enum HeartbeatStep
{
    None,
    /// <summary>A new Heartbeat with a new SEQ.</summary>
    SendNew,
    /// <summary>The outstanding Heartbeat again (unanswered for the answer timeout; it still restarts the window).</summary>
    Resend,
    /// <summary>The outstanding Heartbeat went unanswered through every retry: the generator is silent.</summary>
    GiveUp,
}

/// <summary>The heartbeat's own schedule beside the command in flight: a Heartbeat is due every period and is retried
/// on its own answer timeout, whatever command is outstanding. The generator keeps Heartbeats out of its command memory
/// (docs/generator-protocol.md), so one may go out between the transmissions of a command without breaking that
/// command's de-duplication. Times are milliseconds on one monotonic clock. Thread-safe: the reader thread acknowledges.</summary>
internal sealed class HeartbeatLane
{
    private readonly Lock _gate = new();
    private ushort _sequence;
    private bool _outstanding;
    private bool _answered;
    private long _sentAt;
    private long _firstSentTimestamp;
    private int _silentRetries;
    private long _nextDue;
    private bool _dueNow = true;

    /// <summary>The next heartbeat goes out at once (resumed, or just connected: the generator refuses exposure until one arrives).</summary>
    public void RequestNow()
    {
        lock (_gate) _dueNow = true;
    }

    /// <summary>Forgets the outstanding heartbeat (stopped, link down); the next one, when resumed, goes out at once.</summary>
    public void Stop()
    {
        lock (_gate)
        {
            _outstanding = false;
            _dueNow = true;
        }
    }

    /// <summary>True when <paramref name="sequence"/> answers the outstanding Heartbeat.</summary>
    public bool TryAcknowledge(ushort sequence, out long firstSentTimestamp)
    {
        lock (_gate)
        {
            firstSentTimestamp = _firstSentTimestamp;
            if (!_outstanding || sequence != _sequence || _answered) return false;
            _answered = true;
            return true;
        }
    }

    public HeartbeatStep Due(long now, long periodMs, long answerTimeoutMs, int maxRetries)
    {
        lock (_gate)
        {
            if (_outstanding && _answered) _outstanding = false;
            bool periodDue = _dueNow || now >= _nextDue;
            if (periodDue)
            {
                _dueNow = false;
                _nextDue = now + periodMs;
            }
            if (_outstanding && (now - _sentAt >= answerTimeoutMs || periodDue))
            {
                if (now - _sentAt >= answerTimeoutMs && ++_silentRetries > maxRetries)
                {
                    _outstanding = false;
                    return HeartbeatStep.GiveUp;
                }
                _sentAt = now;
                return HeartbeatStep.Resend;
            }
            return periodDue && !_outstanding ? HeartbeatStep.SendNew : HeartbeatStep.None;
        }
    }

    public void SentNew(ushort sequence, long now, long timestamp)
    {
        lock (_gate)
        {
            _firstSentTimestamp = timestamp;
            _sequence = sequence;
            _outstanding = true;
            _answered = false;
            _sentAt = now;
            _silentRetries = 0;
        }
    }

    /// <summary>When <see cref="Due"/> has something to do next.</summary>
    public long NextDeadline(long answerTimeoutMs)
    {
        lock (_gate)
        {
            if (_dueNow) return 0;
            long deadline = _nextDue;
            if (_outstanding && !_answered) deadline = Math.Min(deadline, _sentAt + answerTimeoutMs);
            return deadline;
        }
    }
}
