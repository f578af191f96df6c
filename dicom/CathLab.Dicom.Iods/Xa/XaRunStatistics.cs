namespace CathLab.Dicom.Iods.Xa;

/// <summary>
/// Accumulates the per-frame technique and timing of a run: sums for the averages and totals, frame intervals
/// and positioner angles (kept per frame for Frame Time Vector and the angle increments). Grows its arrays by
/// doubling, so a run allocates only a handful of times whatever its length.
/// </summary>
public sealed class XaRunStatistics
{
    private double[] _intervalsMs;
    private float[] _primary;
    private float[] _secondary;
    private DateTime _last;

    public XaRunStatistics(int expectedFrames)
    {
        var n = Math.Max(16, expectedFrames);
        _intervalsMs = new double[n];
        _primary = new float[n];
        _secondary = new float[n];
    }

    public int Frames { get; private set; }
    public DateTime FirstTimestamp { get; private set; }
    public DateTime LastTimestamp => _last;
    public double KvpSum { get; private set; }
    public double KvpMin { get; private set; } = double.MaxValue;
    public double KvpMax { get; private set; } = double.MinValue;
    public double TubeCurrentSumMa { get; private set; }
    public double PulseWidthSumMs { get; private set; }

    /// <summary>Sum over frames of mA x ms, i.e. µAs.</summary>
    public double ExposureMicroAs { get; private set; }

    public double MeanKvp => Frames == 0 ? 0 : KvpSum / Frames;
    public double MeanTubeCurrentMa => Frames == 0 ? 0 : TubeCurrentSumMa / Frames;
    public double MeanPulseWidthMs => Frames == 0 ? 0 : PulseWidthSumMs / Frames;

    /// <summary>Interval before each frame in ms; the first is 0 (as Frame Time Vector has it).</summary>
    public ReadOnlySpan<double> IntervalsMs => _intervalsMs.AsSpan(0, Frames);
    public ReadOnlySpan<float> PrimaryAngles => _primary.AsSpan(0, Frames);
    public ReadOnlySpan<float> SecondaryAngles => _secondary.AsSpan(0, Frames);

    public void Add(in XaFrameRecord f)
    {
        if (!(f.Kvp > 0) || !(f.TubeCurrentMa >= 0) || !(f.PulseWidthMs >= 0))
            throw new ArgumentException($"frame technique {f.Kvp} kV, {f.TubeCurrentMa} mA, {f.PulseWidthMs} ms is not physical");
        if (!double.IsFinite(f.PrimaryAngleDeg) || !double.IsFinite(f.SecondaryAngleDeg) || Math.Abs(f.PrimaryAngleDeg) > 180 || Math.Abs(f.SecondaryAngleDeg) > 90)
            throw new ArgumentException($"positioner angles {f.PrimaryAngleDeg}/{f.SecondaryAngleDeg} outside -180..180 / -90..90");
        double interval = 0;
        if (Frames == 0) FirstTimestamp = f.Timestamp;
        else
        {
            interval = (f.Timestamp - _last).TotalMilliseconds;
            if (interval <= 0) throw new ArgumentException($"frame {Frames + 1} timestamp {f.Timestamp:O} does not follow {_last:O}");
        }
        if (Frames == _intervalsMs.Length) Grow();
        _intervalsMs[Frames] = interval;
        _primary[Frames] = (float)f.PrimaryAngleDeg;
        _secondary[Frames] = (float)f.SecondaryAngleDeg;
        _last = f.Timestamp;
        KvpSum += f.Kvp;
        KvpMin = Math.Min(KvpMin, f.Kvp);
        KvpMax = Math.Max(KvpMax, f.Kvp);
        TubeCurrentSumMa += f.TubeCurrentMa;
        PulseWidthSumMs += f.PulseWidthMs;
        ExposureMicroAs += f.TubeCurrentMa * f.PulseWidthMs;
        Frames++;
    }

    /// <summary>Mean of the intervals between frames, or null for a single frame.</summary>
    public double? MeanIntervalMs => Frames < 2 ? null : (_last - FirstTimestamp).TotalMilliseconds / (Frames - 1);

    /// <summary>True when every interval lies within <paramref name="toleranceMs"/> of the mean.</summary>
    public bool IntervalsConstant(double toleranceMs)
    {
        if (MeanIntervalMs is not { } mean) return true;
        foreach (var i in IntervalsMs[1..])
            if (Math.Abs(i - mean) > toleranceMs) return false;
        return true;
    }

    /// <summary>True when the C-arm moved during the run (any angle differs from the first frame's by more than 0.05°).</summary>
    public bool PositionerMoved
    {
        get
        {
            if (Frames < 2) return false;
            float p0 = _primary[0], s0 = _secondary[0];
            for (var i = 1; i < Frames; i++)
                if (Math.Abs(_primary[i] - p0) > 0.05f || Math.Abs(_secondary[i] - s0) > 0.05f) return true;
            return false;
        }
    }

    private void Grow()
    {
        Array.Resize(ref _intervalsMs, _intervalsMs.Length * 2);
        Array.Resize(ref _primary, _primary.Length * 2);
        Array.Resize(ref _secondary, _secondary.Length * 2);
    }
}
