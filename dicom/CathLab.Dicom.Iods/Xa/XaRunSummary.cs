namespace CathLab.Dicom.Iods.Xa;

/// <summary>What a completed run wrote, for the dose report and the outbox.</summary>
public sealed record XaRunSummary(
    string Path,
    string SopClassUid,
    string SopInstanceUid,
    string SeriesInstanceUid,
    string IrradiationEventUid,
    int Frames,
    DateTime StartedAt,
    DateTime EndedAt,
    double MeanKvp,
    double MinKvp,
    double MaxKvp,
    double MeanTubeCurrentMa,
    double MeanPulseWidthMs,
    double TotalExposureTimeMs,
    double ExposureMicroAs,
    double PrimaryAngleDeg,
    double SecondaryAngleDeg,
    bool FrameTimeVectorUsed,
    long FileLength);
