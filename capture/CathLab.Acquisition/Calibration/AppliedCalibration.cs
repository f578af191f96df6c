using CathLab.Processing.Calibration;

namespace CathLab.Acquisition.Calibration;

/// <summary>The calibration a recorded run is corrected with, fixed when the run begins, and what its object says about
/// it: Date/Time of Last Calibration (0018,1200/1201) and Acquisition Device Processing Description (0018,1400).</summary>
public sealed record AppliedCalibration(CalibrationData Data, DateTimeOffset? CalibratedAt, string Description);
