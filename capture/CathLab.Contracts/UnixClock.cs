namespace CathLab.Contracts;

/// <summary>Wall-clock microseconds since the Unix epoch: observers on the same host (or with synchronised
/// clocks) subtract a frame's ready time from their own to get its latency.</summary>
public static class UnixClock
{
    public static long NowMicroseconds() => (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) / 10;
}
