namespace CathLab.LiveFeed.Frames;

/// <summary>The acquisition frame interval as the live feed sees it, smoothed over the frames of a run. Only the
/// intervals between consecutive frames of one run count: the idle time between runs (or a pause within one longer
/// than <see cref="GapMicroseconds"/>) and a last-image hold are not frame intervals. Encoder thread only.</summary>
internal sealed class SourceRateEstimate
{
    /// <summary>Longer than the slowest acquisition interval (1 pulse per second); a longer pause is not a frame interval.</summary>
    public const long GapMicroseconds = 1_100_000;
    private const double Smoothing = 0.1;

    private long _previousReadyUs;
    private string _previousRun = "";
    private double _intervalUs = 1e6 / 30;

    public double IntervalMicroseconds => Volatile.Read(ref _intervalUs);

    public void Observe(long readyUs, string runId, bool held)
    {
        if (held) return;
        long interval = readyUs - _previousReadyUs;
        bool sameRun = _previousReadyUs != 0 && string.Equals(runId, _previousRun, StringComparison.Ordinal);
        _previousReadyUs = readyUs;
        _previousRun = runId;
        if (!sameRun || interval <= 0 || interval > GapMicroseconds) return;
        double clamped = Math.Max(interval, 1_000);
        Volatile.Write(ref _intervalUs, _intervalUs + Smoothing * (clamped - _intervalUs));
    }
}
