namespace CathLab.Discussion;

/// <summary>What every participant plays: frames are 1-based; while <see cref="Playing"/>, the frame shown at station time
/// <c>now</c> (ms) is <c>start + floor((now − t0) × rate / 1000)</c>, looped over the run's <see cref="Frames"/>. Every
/// client computes it from the same numbers and its estimate of the station's clock, so none streams a screen.
/// <see cref="Calibration"/> is the run's, read when it was selected (null: lengths in pixels).</summary>
public sealed record SharedPlayback(string? RunId, int Frames, bool Playing, double Rate, int StartFrame, long T0, RunCalibration? Calibration = null)
{
    public const double DefaultRate = 15;

    /// <summary>The run id that means the live exam: every participant shows the live monitor (or its last-image hold),
    /// nothing is played, and annotations on it are bound to the live frame number they were drawn on.</summary>
    public const string LiveRunId = "live";

    public static readonly SharedPlayback None = new(null, 0, false, DefaultRate, 1, 0);

    [System.Text.Json.Serialization.JsonIgnore]
    public bool Live => RunId == LiveRunId;

    /// <summary>The live exam for everyone, at <paramref name="nowMs"/>; the rate is kept for the next recorded run.</summary>
    public SharedPlayback LiveAt(long nowMs) => new(LiveRunId, 0, false, Rate, 1, nowMs);

    public int FrameAt(long nowMs)
    {
        if (!Playing || Frames <= 0) return StartFrame;
        long advance = (long)Math.Floor(Math.Max(0, nowMs - T0) * Rate / 1000.0);
        return (int)(1 + (StartFrame - 1 + advance) % Frames);
    }

    /// <summary>Stopped at <paramref name="frame"/> (already checked against the run) at <paramref name="nowMs"/>.</summary>
    public SharedPlayback PausedAt(int frame, long nowMs) => this with { Playing = false, StartFrame = frame, T0 = nowMs };

    /// <summary>Playing from the frame shown now at <paramref name="rate"/>: the clock restarts so the frame does not jump.</summary>
    public SharedPlayback PlayingAt(double rate, long nowMs) => this with { Playing = true, Rate = rate, StartFrame = FrameAt(nowMs), T0 = nowMs };
}
