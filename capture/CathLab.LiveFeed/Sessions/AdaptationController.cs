using CathLab.LiveFeed.Tiers;

namespace CathLab.LiveFeed.Sessions;

/// <summary>Chooses an observer's ladder level from what its link actually delivers, measured by the
/// observer's acknowledgements: it steps down when frames arrive late (or not at all), and steps up when
/// the delivery rate has room for the next level's frame sizes and frames have been on time for a while.
/// Each failed step up doubles the wait before the next try. Times are in microseconds; not thread-safe
/// (the session serialises calls).</summary>
public sealed class AdaptationController
{
    public const long LateMicroseconds = 600_000;
    public const long OnTimeMicroseconds = 300_000;
    public const long BaseUpHoldMicroseconds = 2_000_000;
    public const long MaxUpHoldMicroseconds = 32_000_000;
    public const long DownCooldownMicroseconds = 800_000;

    /// <summary>A step up needs one frame of the next level to cross the link in less than this, at the
    /// measured throughput: half the on-time bound, leaving room for the frame waiting behind it.</summary>
    public const double StepUpFrameSeconds = 0.15;
    private const double ThroughputSmoothing = 0.3;

    private long _lastChangeUs;
    private long _onTimeSinceUs;
    private long _upHoldUs = BaseUpHoldMicroseconds;
    private bool _lastChangeWasUp;
    private int _lateInRow;

    /// <summary>The level a new observer starts at: the quarter-size preview at full rate (or its own cap, if
    /// lower), so that the first frames are live on any link and better tiers are reached by stepping up.</summary>
    public const int StartLevel = 3;

    public AdaptationController(int topLevel, long nowUs)
    {
        TopLevel = topLevel;
        Level = Math.Max(topLevel, StartLevel);
        _lastChangeUs = nowUs;
        _onTimeSinceUs = nowUs;
    }

    public int TopLevel { get; private set; }

    public int Level { get; private set; }

    /// <summary>Bytes per second the link delivered, smoothed; 0 until the first acknowledgement.</summary>
    public double ThroughputBytesPerSecond { get; private set; }

    public string LastReason { get; private set; } = "start";

    public void SetTopLevel(int topLevel, long nowUs)
    {
        TopLevel = topLevel;
        if (Level < topLevel) Change(topLevel, nowUs, "tier cap");
    }

    /// <summary>A frame was acknowledged: <paramref name="latencyUs"/> from ready to acknowledgement,
    /// <paramref name="transferUs"/> from send to acknowledgement, <paramref name="bytes"/> its size.</summary>
    /// <returns>True when the level changed.</returns>
    public bool OnDelivered(long nowUs, long latencyUs, long transferUs, int bytes)
    {
        if (transferUs > 0)
        {
            double sample = bytes * 1e6 / transferUs;
            ThroughputBytesPerSecond = ThroughputBytesPerSecond == 0 ? sample : ThroughputBytesPerSecond + ThroughputSmoothing * (sample - ThroughputBytesPerSecond);
        }
        if (latencyUs > LateMicroseconds)
        {
            _onTimeSinceUs = nowUs;
            if (++_lateInRow >= 2) return StepDown(nowUs, "late");
            return false;
        }
        _lateInRow = 0;
        if (latencyUs > OnTimeMicroseconds) _onTimeSinceUs = nowUs;
        return false;
    }

    /// <summary>A frame was never acknowledged within the deadline.</summary>
    public bool OnLost(long nowUs)
    {
        _onTimeSinceUs = nowUs;
        return StepDown(nowUs, "unacknowledged");
    }

    /// <summary>Called periodically; steps up when the link has shown room for long enough.</summary>
    /// <param name="averageBytes">Recent encoded size of a variant, by variant index (0 when unknown).</param>
    public bool OnTick(long nowUs, Func<StreamVariant, double> averageBytes)
    {
        if (Level <= TopLevel) return false;
        if (_lastChangeWasUp && nowUs - _lastChangeUs > 4 * BaseUpHoldMicroseconds) _upHoldUs = BaseUpHoldMicroseconds;
        if (nowUs - _onTimeSinceUs < _upHoldUs || nowUs - _lastChangeUs < _upHoldUs) return false;
        var next = StreamLevel.Ladder[Level - 1];
        double size = averageBytes(next.Variant);
        if (ThroughputBytesPerSecond <= 0) return false;
        // A frame of the next level must cross the link quickly; whether the link also carries its full
        // rate is found by trying: if it does not, frames come late and the step is undone (with a longer hold).
        if (size <= 0 || size / ThroughputBytesPerSecond >= StepUpFrameSeconds) return false;
        Change(Level - 1, nowUs, "link has room");
        _lastChangeWasUp = true;
        return true;
    }

    internal void Force(int level) => Change(Math.Clamp(level, 0, StreamLevel.Bottom), _lastChangeUs, "forced");

    private bool StepDown(long nowUs, string reason)
    {
        if (nowUs - _lastChangeUs < DownCooldownMicroseconds || Level >= StreamLevel.Bottom) return false;
        if (_lastChangeWasUp) _upHoldUs = Math.Min(_upHoldUs * 2, MaxUpHoldMicroseconds);
        _lastChangeWasUp = false;
        _lateInRow = 0;
        Change(Level + 1, nowUs, reason);
        return true;
    }

    private void Change(int level, long nowUs, string reason)
    {
        Level = level;
        _lastChangeUs = nowUs;
        _onTimeSinceUs = nowUs;
        LastReason = reason;
    }
}
