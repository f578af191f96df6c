using CathLab.LiveFeed.Tiers;

namespace CathLab.LiveFeed.Sessions;

/// <summary>Chooses an observer's ladder level from what its link actually delivers, measured by the
/// observer's acknowledgements: it steps down when frames arrive late (or not at all), and steps up when
/// frames have been on time for a while and the link, as a fixed delay plus a bandwidth (<see cref="LinkModel"/>),
/// carries the next level. When the model cannot tell yet (all recent frames of one size), one frame is sent at
/// the next level as a probe. A step up that had to be undone, or a judgement that the next level does not fit,
/// doubles the hold before the next try. Holds are counted in acknowledged frames; times are in microseconds; not
/// thread-safe (the session serialises calls).</summary>
public sealed class AdaptationController
{
    public const long LateMicroseconds = 600_000;
    public const long OnTimeMicroseconds = 300_000;
    public const long DownCooldownMicroseconds = 800_000;

    /// <summary>Frames acknowledged on time in a row before a step up is considered.</summary>
    public const int BaseUpHoldFrames = 8;
    public const int MaxUpHoldFrames = 256;

    /// <summary>After a probe is asked for, the judgement waits for this many more acknowledgements (the probe's and the next).</summary>
    public const int ProbeSettleFrames = 2;

    /// <summary>A step up needs the fixed delay plus one frame of the next level's crossing to stay under this: half the
    /// on-time bound, leaving room for the frame waiting behind it.</summary>
    public const double StepUpFrameSeconds = 0.15;

    /// <summary>A step up needs a bandwidth of at least this many times the next level's bit rate (frame size × its rate).</summary>
    public const double CapacityFactor = 2;

    /// <summary>A probe frame is sent only if it would cross within this even at the slowest bandwidth the link may have.</summary>
    public const double ProbeBudgetSeconds = 1.0;

    private const double ThroughputSmoothing = 0.3;

    private readonly LinkModel _link = new();
    private long _lastChangeUs;
    private int _onTimeInRow;
    private int _deliveredSinceChange;
    private int _upHoldFrames = BaseUpHoldFrames;
    private bool _lastChangeWasUp;
    private int _lateInRow;
    private bool _probeWanted;
    private int _probeSettle = NoProbePending;
    private const int NoProbePending = -1;

    /// <summary>The level a new observer starts at: the quarter-size preview at full rate (or its own cap, if
    /// lower), so that the first frames are live on any link and better tiers are reached by stepping up.</summary>
    public const int StartLevel = 3;

    public AdaptationController(int topLevel, long nowUs) : this(topLevel, nowUs, StreamLevel.Bottom, StartLevel)
    {
    }

    /// <summary>A controller over another ladder (the video encodings): levels 0 (best) to <paramref name="bottomLevel"/>.</summary>
    public AdaptationController(int topLevel, long nowUs, int bottomLevel, int startLevel)
    {
        BottomLevel = bottomLevel;
        TopLevel = topLevel;
        Level = Math.Clamp(Math.Max(topLevel, startLevel), 0, bottomLevel);
        _lastChangeUs = nowUs;
    }

    /// <summary>The worst level, where stepping down stops.</summary>
    public int BottomLevel { get; }

    public int TopLevel { get; private set; }

    public int Level { get; private set; }

    /// <summary>Bytes per second the link delivered per frame (delay included), smoothed; 0 until the first
    /// acknowledgement. The session paces what it has in flight by it.</summary>
    public double ThroughputBytesPerSecond { get; private set; }

    public string LastReason { get; private set; } = "start";

    /// <summary>Steps up made so far.</summary>
    public int StepsUp { get; private set; }

    /// <summary>Probe frames asked for so far.</summary>
    public int Probes { get; private set; }

    /// <summary>The link as modelled now.</summary>
    public LinkModel Link => _link;

    public void SetTopLevel(int topLevel, long nowUs)
    {
        TopLevel = topLevel;
        if (Level < topLevel) Change(topLevel, nowUs, "tier cap");
    }

    /// <summary>True once after the controller asked for a probe: the session sends its next frame at level
    /// <see cref="Level"/> − 1.</summary>
    public bool TakeProbeRequest()
    {
        bool wanted = _probeWanted;
        _probeWanted = false;
        return wanted;
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
        _link.Add(bytes, transferUs);
        _deliveredSinceChange++;
        if (_probeSettle > 0) _probeSettle--;
        if (latencyUs > LateMicroseconds)
        {
            _onTimeInRow = 0;
            if (++_lateInRow >= 2) return StepDown(nowUs, "late");
            return false;
        }
        _lateInRow = 0;
        _onTimeInRow = latencyUs > OnTimeMicroseconds ? 0 : _onTimeInRow + 1;
        return false;
    }

    /// <summary>A frame was never acknowledged within the deadline.</summary>
    public bool OnLost(long nowUs)
    {
        _onTimeInRow = 0;
        return StepDown(nowUs, "unacknowledged");
    }

    /// <summary>Called after every frame and acknowledgement (and periodically); steps up when the link has room.</summary>
    /// <param name="averageBytes">Recent encoded size of a variant (0 when unknown).</param>
    /// <param name="nextLevelFps">The frame rate the next level up would send at (the source's, its divisor and the observer's cap applied).</param>
    public bool OnTick(long nowUs, Func<StreamVariant, double> averageBytes, double nextLevelFps) =>
        Level > TopLevel && OnTick(nowUs, averageBytes(StreamLevel.Ladder[Level - 1].Variant), nextLevelFps);

    /// <summary>As above, with the size of a frame at the next level up given (0 when unknown).</summary>
    public bool OnTick(long nowUs, double nextLevelBytes, double nextLevelFps)
    {
        if (Level <= TopLevel) return false;
        if (_lastChangeWasUp && _deliveredSinceChange >= 4 * BaseUpHoldFrames) _upHoldFrames = BaseUpHoldFrames;
        if (_probeWanted) return false;
        if (_probeSettle == NoProbePending && _onTimeInRow < _upHoldFrames) return false;
        if (_probeSettle > 0) return false; // a probe's acknowledgement is judged as soon as it is in, on time or not
        _probeSettle = NoProbePending;
        double size = nextLevelBytes;
        if (size <= 0) return false;
        switch (Judge(size, nextLevelFps))
        {
            case Verdict.Fits:
                Change(Level - 1, nowUs, "link has room");
                _lastChangeWasUp = true;
                StepsUp++;
                return true;
            case Verdict.NeedsProbe:
                _probeWanted = true;
                Probes++;
                _probeSettle = ProbeSettleFrames;
                return false;
            default:
                _upHoldFrames = Math.Min(_upHoldFrames * 2, MaxUpHoldFrames);
                _onTimeInRow = 0;
                return false;
        }
    }

    private enum Verdict { Fits, DoesNotFit, NeedsProbe }

    private Verdict Judge(double size, double fps)
    {
        if (_link.TryEstimate(size, out double delayUs, out double bandwidth))
        {
            double crossing = size / bandwidth;
            return delayUs / 1e6 + crossing < StepUpFrameSeconds && crossing * fps * CapacityFactor <= 1 ? Verdict.Fits : Verdict.DoesNotFit;
        }
        double lowest = _link.BandwidthLowerBound;
        if (lowest <= 0) return Verdict.DoesNotFit;
        // Judged as if the whole delay were transfer: if the frame fits even so, it fits. A level of the same variant at a
        // higher rate (levels 4 to 3) is judged by the crossing alone, as frames of that size were sent already and
        // pipelining hides the delay; a larger variant must show the rate too, or be probed.
        double worstCrossing = size / lowest;
        bool sameSize = size <= 1.5 * _link.LargestBytes;
        if (worstCrossing < StepUpFrameSeconds && (sameSize || worstCrossing * fps * CapacityFactor <= 1)) return Verdict.Fits;
        if (sameSize) return Verdict.DoesNotFit;
        return worstCrossing <= ProbeBudgetSeconds ? Verdict.NeedsProbe : Verdict.DoesNotFit;
    }

    internal void Force(int level) => Change(Math.Clamp(level, 0, BottomLevel), _lastChangeUs, "forced");

    private bool StepDown(long nowUs, string reason)
    {
        if (nowUs - _lastChangeUs < DownCooldownMicroseconds || Level >= BottomLevel) return false;
        if (_lastChangeWasUp) _upHoldFrames = Math.Min(_upHoldFrames * 2, MaxUpHoldFrames);
        _lastChangeWasUp = false;
        _lateInRow = 0;
        Change(Level + 1, nowUs, reason);
        return true;
    }

    private void Change(int level, long nowUs, string reason)
    {
        Level = level;
        _lastChangeUs = nowUs;
        _onTimeInRow = 0;
        _deliveredSinceChange = 0;
        _probeWanted = false;
        _probeSettle = NoProbePending;
        LastReason = reason;
    }
}
