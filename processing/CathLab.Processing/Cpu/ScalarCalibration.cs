using CathLab.Processing.Calibration;

namespace CathLab.Processing.Cpu;

/// <summary>Offset, gain and defect correction one pixel at a time, with the same fixed-point arithmetic
/// and rounding as the SIMD and OpenCL passes; used off the hot path (mask building, shift estimation).</summary>
internal static class ScalarCalibration
{
    public static void Apply(CalibrationData calibration, ReadOnlySpan<ushort> raw, Span<ushort> corrected)
    {
        var q = calibration.FixedPoint;
        for (int i = 0; i < raw.Length; i++) corrected[i] = (ushort)q.Round(q.Corrected(raw[i], i));
        DefectCorrection.Apply(calibration.DefectTable, corrected, calibration.Geometry.MaxValue);
    }

    public static ushort Round(float value, float max) => (ushort)(int)(Math.Min(Math.Max(value, 0f), max) + 0.5f);
}
