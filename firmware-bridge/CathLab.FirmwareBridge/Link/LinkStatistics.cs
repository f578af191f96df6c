namespace CathLab.FirmwareBridge.Link;

/// <summary>What the generator link counted since it was made. Every lane writes its own counters; anyone may read.</summary>
public sealed class LinkStatistics
{
    private long _retransmissions;
    private long _answerTimeouts;
    private long _lateAnswers;
    private long _eventsDelivered;
    private long _eventsDropped;
    private long _eventsLost;
    private long _heartbeatsSent;
    private long _discardedBytes;
    private long _damagedFrames;
    private long _reconnects;
    private long _linkDowns;

    /// <param name="answerWindow">The answer timeout: an answer later than this counts as outside the window.</param>
    public LinkStatistics(TimeSpan answerWindow)
    {
        AnswerWindow = answerWindow;
    }

    public TimeSpan AnswerWindow { get; }

    /// <summary>Commands and heartbeats sent again after a timeout or a FrameError.</summary>
    public long Retransmissions => Interlocked.Read(ref _retransmissions);

    /// <summary>Attempts (commands and heartbeats) whose answer timeout ran out with no answer.</summary>
    public long AnswerTimeouts => Interlocked.Read(ref _answerTimeouts);

    /// <summary>Answers that arrived, but later than <see cref="AnswerWindow"/> after the first transmission.</summary>
    public long LateAnswers => Interlocked.Read(ref _lateAnswers);

    /// <summary>Answers outside the window, whichever way: timed out, or arrived late.</summary>
    public long AnswersOutsideWindow => AnswerTimeouts + LateAnswers;

    public long EventsDelivered => Interlocked.Read(ref _eventsDelivered);

    /// <summary>Event frames dropped as out of order or repeated (go-back-N duplicates).</summary>
    public long EventsDropped => Interlocked.Read(ref _eventsDropped);

    /// <summary>Events the generator said it discarded from its full backlog (the sum of its EventsLost counts).</summary>
    public long EventsLost => Interlocked.Read(ref _eventsLost);

    public long HeartbeatsSent => Interlocked.Read(ref _heartbeatsSent);
    public long DiscardedBytes => Interlocked.Read(ref _discardedBytes);
    public long DamagedFrames => Interlocked.Read(ref _damagedFrames);

    /// <summary>How often the link went down and came back.</summary>
    public long Reconnects => Interlocked.Read(ref _reconnects);

    /// <summary>How often the link went down (after having been connected).</summary>
    public long LinkDowns => Interlocked.Read(ref _linkDowns);

    /// <summary>Answer latency of commands and heartbeats.</summary>
    public AnswerLatencyHistogram AnswerLatency { get; } = new();

    internal void Retransmitted() => Interlocked.Increment(ref _retransmissions);
    internal void AnswerTimedOut() => Interlocked.Increment(ref _answerTimeouts);
    internal void EventDelivered() => Interlocked.Increment(ref _eventsDelivered);
    internal void EventDropped() => Interlocked.Increment(ref _eventsDropped);
    internal void EventsLostReported(long count) => Interlocked.Add(ref _eventsLost, count);
    internal void HeartbeatSent() => Interlocked.Increment(ref _heartbeatsSent);
    internal void BytesDiscarded(long count) => Interlocked.Add(ref _discardedBytes, count);
    internal void FrameDamaged() => Interlocked.Increment(ref _damagedFrames);
    internal void Reconnected() => Interlocked.Increment(ref _reconnects);
    internal void WentDown() => Interlocked.Increment(ref _linkDowns);

    /// <summary>An answer came <paramref name="micros"/> after its first transmission.</summary>
    internal void Answered(long micros)
    {
        AnswerLatency.Record(micros);
        if (micros > AnswerWindow.TotalMicroseconds) Interlocked.Increment(ref _lateAnswers);
    }

    public override string ToString() =>
        $"answers: {AnswerLatency}; {AnswersOutsideWindow} outside the {AnswerWindow.TotalMilliseconds:0} ms window ({AnswerTimeouts} timed out, {LateAnswers} late); " +
        $"{Retransmissions} retransmissions, {LinkDowns} downs, {Reconnects} reconnects, {HeartbeatsSent} heartbeats, {EventsDelivered} events, {EventsDropped} dropped, {EventsLost} lost by the generator, {DamagedFrames} damaged frames";
}
