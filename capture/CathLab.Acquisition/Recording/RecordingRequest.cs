using CathLab.Acquisition.Protocols;
using CathLab.Dicom.Iods.Context;
using CathLab.Dicom.Iods.Xa;
using CathLab.Dicom.Uids;
using CathLab.FirmwareBridge.Dose;

namespace CathLab.Acquisition.Recording;

/// <summary>
/// What the recorder needs before the pedal: who and what the run is about (<see cref="ExamContext"/>, whose series
/// carries the series number), the protocol (its kind, first phase rate and DSA mask frames), the instance number,
/// and the C-arm as it stands. <see cref="Geometry"/> is the dose ledger's beam geometry; it gives the field size and
/// source-image distance in the object and the dose-area product of the run.
/// </summary>
public sealed record RecordingRequest(ExamContext Exam, AcquisitionProtocol Protocol, int InstanceNumber)
{
    public double PrimaryAngleDeg { get; init; }
    public double SecondaryAngleDeg { get; init; }
    public BeamGeometry Geometry { get; init; } = BeamGeometry.Default;
    public ContrastInjection? Contrast { get; init; }

    /// <summary>The detector calibration the run's frames are corrected with before they are written; null: written as read.</summary>
    public Calibration.AppliedCalibration? Calibration { get; init; }

    /// <summary>GR for recorded runs at acquisition dose; SC (low dose) for saved fluoro.</summary>
    public RadiationSetting RadiationSetting { get; init; } = RadiationSetting.Gr;
    public string SopInstanceUid { get; init; } = DicomUidGenerator.NewUid();

    /// <summary>Shared with the dose report's irradiation event for this run.</summary>
    public string IrradiationEventUid { get; init; } = DicomUidGenerator.NewUid();

    /// <summary>A DSA run subtracts the average of its first <see cref="AcquisitionProtocol.MaskFrames"/> frames.</summary>
    public DsaMask? Mask => Protocol.Kind == RunKind.Dsa ? new DsaMask([.. Enumerable.Range(1, Protocol.MaskFrames)]) : null;

    /// <summary>Why this request cannot be recorded, or null.</summary>
    public string? Violation()
    {
        if (!Protocol.Recorded) return $"protocol '{Protocol.Name}' is {Protocol.Kind}, which is not recorded";
        if (Protocol.Kind == RunKind.Dsa && Protocol.MaskFrames < 1) return $"protocol '{Protocol.Name}': a DSA run needs at least one mask frame";
        if (InstanceNumber < 1) return $"instance number {InstanceNumber} must be positive";
        if (!double.IsFinite(PrimaryAngleDeg) || Math.Abs(PrimaryAngleDeg) > 180) return $"primary angle {PrimaryAngleDeg}° outside -180..180";
        if (!double.IsFinite(SecondaryAngleDeg) || Math.Abs(SecondaryAngleDeg) > 90) return $"secondary angle {SecondaryAngleDeg}° outside -90..90";
        try
        {
            Geometry.Validate();
        }
        catch (ArgumentOutOfRangeException e)
        {
            return e.Message;
        }
        return null;
    }
}
