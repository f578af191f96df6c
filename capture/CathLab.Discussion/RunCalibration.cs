namespace CathLab.Discussion;

/// <summary>What a client needs to show a length in millimetres while it is drawn: the run's Imager Pixel Spacing
/// (row, column; mm at the detector's front plane) and, where the object states it, the magnification to divide by
/// (the length then holds at the isocentre only, so it is approximate). docs/discussion.md, Capture.</summary>
public sealed record RunCalibration(double RowMm, double ColumnMm, double? Magnification);

/// <summary>The calibration of an exam's recorded run, as the host reads it from the run's object; null for a run
/// without pixel spacing or one the exam does not have.</summary>
public interface IRunCalibrations
{
    RunCalibration? CalibrationOf(string examId, string runId);
}
