using CathLab.Dicom.Iods.Xa;

namespace CathLab.Acquisition.Recording;

/// <summary>The dose of one recorded run, summed from the generator's reports of the pulses whose frames were
/// written: reference air kerma, and dose-area product over the request's beam geometry (as the dose ledger counts it).</summary>
public sealed record RecordedDose(int Pulses, double ReferenceAirKermaMilliGray, double DoseAreaProductGyCm2);

/// <summary>A run stored under its final name: the XA object and its dose.</summary>
public sealed record RecordedRun(XaRunSummary Image, RecordedDose Dose);

/// <summary>How a recording ended: a stored run, or the reason nothing was stored (no file was left behind).</summary>
public sealed record RecordingOutcome(RecordedRun? Run, string? Failure)
{
    public bool Stored => Run is not null;

    internal static RecordingOutcome Failed(string reason) => new(null, reason);
}
