using CathLab.Acquisition.Recording;

namespace CathLab.Station.Exam;

/// <summary>How long a recorded run may expose: the recorder's capacity in frames at the protocol's highest pulse rate,
/// less the frames that still arrive after the station releases the pedal (one pulse, plus those in flight).</summary>
public sealed record RunLengthLimit(TimeSpan Duration, RecordingCapacity Capacity)
{
    /// <summary>Frames in flight when the pedal is released: exposure stops within one pulse, and the frame link and the
    /// recorder's queue may hold up to half a second more.</summary>
    private const double InFlightSeconds = 0.5;
    private const int ExtraFrames = 2;

    /// <summary>Null when the capacity does not hold even one second at <paramref name="pulseRate"/>.</summary>
    public static RunLengthLimit? For(RecordingCapacity capacity, double pulseRate)
    {
        if (!(pulseRate > 0)) throw new ArgumentOutOfRangeException(nameof(pulseRate), pulseRate, "a pulse rate must be positive");
        long headroom = (long)Math.Ceiling(pulseRate * InFlightSeconds) + ExtraFrames;
        double seconds = (capacity.Frames - headroom) / pulseRate;
        return seconds < 1 ? null : new RunLengthLimit(TimeSpan.FromSeconds(Math.Min(seconds, TimeSpan.FromDays(1).TotalSeconds)), capacity);
    }

    public string Describe(int runNumber) =>
        $"run {runNumber} was ended by the station after {Duration.TotalSeconds:0.#} s: {Capacity.Frames} frames is what {Capacity.LimitedBy} holds; release the pedal";
}
