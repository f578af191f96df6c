namespace CathLab.Dicom.Iods.Xa;

/// <summary>
/// What the generator reported for the pulse that made one frame, and when. Timestamps must increase from
/// frame to frame; angles are the C-arm's positioner angles in degrees (PS3.3 C.8.7.5).
/// </summary>
public readonly record struct XaFrameRecord(
    DateTime Timestamp,
    double Kvp,
    double TubeCurrentMa,
    double PulseWidthMs,
    double PrimaryAngleDeg,
    double SecondaryAngleDeg);
