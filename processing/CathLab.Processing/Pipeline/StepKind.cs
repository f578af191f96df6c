namespace CathLab.Processing.Pipeline;

/// <summary>One step of a chain run on its own, on data already in place (device-resident for OpenCL):
/// used by the benchmarks to time each step.</summary>
internal enum StepKind
{
    Calibrate,
    CalibrateRecursive,
    CalibrateLogSubtract,
    DefectFix,
    Smooth,
    UnsharpWindowLevel,
    Downscale2,
}
