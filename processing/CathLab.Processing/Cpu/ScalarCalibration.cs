using CathLab.Processing.Calibration;

namespace CathLab.Processing.Cpu;

/// <summary>Offset, gain and defect correction one pixel at a time, with the same float operations and
/// rounding as the SIMD and OpenCL passes; used off the hot path (mask building, shift estimation).</summary>
internal static class ScalarCalibration
{
    public static void Apply(CalibrationData calibration, ReadOnlySpan<ushort> raw, Span<ushort> corrected)
    {
        float max = calibration.Geometry.MaxValue;
        var dark = calibration.Dark;
        var gain = calibration.Gain;
        for (int i = 0; i < raw.Length; i++)
            corrected[i] = Round((raw[i] - dark[i]) * gain[i], max);
        DefectCorrection.Apply(calibration.DefectTable, corrected, max);
    }

    public static ushort Round(float value, float max) => (ushort)(int)(Math.Min(Math.Max(value, 0f), max) + 0.5f);
}
