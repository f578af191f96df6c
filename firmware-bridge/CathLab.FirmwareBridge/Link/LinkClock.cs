namespace CathLab.FirmwareBridge.Link;

/// <summary>The link's one monotonic clock, on a <see cref="TimeProvider"/> so tests can drive it. Waiting never uses a
/// timer of the system provider (its callbacks run on the thread pool, which may be starved): the lane's own thread
/// waits on its handle with a timeout. Only another provider (a test's fake clock) gets a timer that sets the handle.</summary>
internal sealed class LinkClock(TimeProvider time)
{
    private readonly long _ticksPerMs = Math.Max(1, time.TimestampFrequency / 1000);

    public TimeProvider Time => time;

    public long NowMs => time.GetTimestamp() / _ticksPerMs;

    public long Timestamp => time.GetTimestamp();

    public long MicrosSince(long timestamp) => (long)time.GetElapsedTime(timestamp).TotalMicroseconds;

    /// <summary>Waits for <paramref name="handle"/> or for <paramref name="timeoutMs"/> on this clock; true when signalled.</summary>
    public bool Wait(EventWaitHandle handle, long timeoutMs)
    {
        if (timeoutMs <= 0) return handle.WaitOne(0);
        int wait = (int)Math.Min(timeoutMs, int.MaxValue);
        if (ReferenceEquals(time, TimeProvider.System)) return handle.WaitOne(wait);
        using var timer = time.CreateTimer(static h => ((EventWaitHandle)h!).Set(), handle, TimeSpan.FromMilliseconds(wait), Timeout.InfiniteTimeSpan);
        return handle.WaitOne();
    }
}
