using CathLab.Dicom.Iods.Xa;

namespace CathLab.Dicom.Iods.Rdsr;

/// <summary>Fluoroscopy (not recorded) or a recorded acquisition run (cine, DSA).</summary>
public enum IrradiationKind
{
    Fluoroscopy,
    Acquisition,
}

/// <summary>A stored image an acquisition event produced.</summary>
public sealed record AcquiredImage(string SopClassUid, string SopInstanceUid, string SeriesInstanceUid);

/// <summary>
/// One irradiation event (TID 10003): a continuous press of the fluoro or cine pedal, however many pulses it held.
/// Doses come from the dose ledger (dose-area product in Gy.m², reference air kerma in Gy); technique from the
/// generator's pulse reports (means over the pulses, except <see cref="NumberOfPulses"/>).
/// </summary>
public sealed record IrradiationEvent(
    IrradiationKind Kind,
    string Uid,
    DateTime StartedAt,
    double DurationSeconds,
    double DoseAreaProductGym2,
    double DoseRpGy,
    int NumberOfPulses,
    double PulseRatePerSecond,
    double MeanKvp,
    double MeanTubeCurrentMa,
    double MeanPulseWidthMs,
    double PrimaryAngleDeg,
    double SecondaryAngleDeg)
{
    public double? DistanceSourceToDetectorMm { get; init; }
    public string AcquisitionProtocol { get; init; } = "";
    public AcquiredImage? Image { get; init; }

    /// <summary>Total irradiation time in ms: pulses x mean pulse width.</summary>
    public double ExposureTimeMs => NumberOfPulses * MeanPulseWidthMs;

    /// <summary>µAs: pulses x mean mA x mean pulse width (the sum the generator reported when known; see <see cref="FromRun"/>).</summary>
    public double ExposureMicroAs { get; init; } = double.NaN;

    public double ExposureOrEstimateMicroAs => double.IsNaN(ExposureMicroAs) ? NumberOfPulses * MeanTubeCurrentMa * MeanPulseWidthMs : ExposureMicroAs;

    /// <summary>The event of a recorded run, with the doses the ledger measured for it.</summary>
    public static IrradiationEvent FromRun(XaRunSummary run, double doseAreaProductGym2, double doseRpGy, string protocol = "", double? distanceSourceToDetectorMm = null)
    {
        var duration = (run.EndedAt - run.StartedAt).TotalSeconds;
        // Pulses per second from first to last pulse (EndedAt includes the last pulse's width).
        var span = duration - run.MeanPulseWidthMs / 1000.0;
        var rate = run.Frames > 1 && span > 0 ? (run.Frames - 1) / span : 0;
        return new IrradiationEvent(IrradiationKind.Acquisition, run.IrradiationEventUid, run.StartedAt, duration, doseAreaProductGym2, doseRpGy,
            run.Frames, rate, run.MeanKvp, run.MeanTubeCurrentMa, run.MeanPulseWidthMs, run.PrimaryAngleDeg, run.SecondaryAngleDeg)
        {
            AcquisitionProtocol = protocol,
            DistanceSourceToDetectorMm = distanceSourceToDetectorMm,
            Image = new AcquiredImage(run.SopClassUid, run.SopInstanceUid, run.SeriesInstanceUid),
            ExposureMicroAs = run.ExposureMicroAs,
        };
    }

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(Uid)) throw new ArgumentException("an irradiation event needs its UID");
        if (!(DurationSeconds >= 0) || !(DoseAreaProductGym2 >= 0) || !(DoseRpGy >= 0) || NumberOfPulses < 0 || !(PulseRatePerSecond >= 0))
            throw new ArgumentException($"irradiation event {Uid} has a negative or missing duration, dose or pulse count");
        if (!(MeanKvp > 0) || !(MeanTubeCurrentMa >= 0) || !(MeanPulseWidthMs >= 0))
            throw new ArgumentException($"irradiation event {Uid} has an unphysical technique");
    }
}
