using CathLab.Processing.Calibration;

namespace CathLab.Processing.Cpu;

/// <summary>Replaces each defective pixel by the weighted mean of its good neighbours, in place.</summary>
internal static class DefectCorrection
{
    public static void Apply(DefectInterpolationTable table, Span<ushort> frame, float max)
    {
        var targets = table.Targets;
        var n = table.Neighbours;
        var w = table.Weights;
        for (int t = 0; t < targets.Length; t++)
        {
            int s = t * DefectInterpolationTable.Slots;
            float v = w[s] * frame[n[s]];
            v += w[s + 1] * frame[n[s + 1]];
            v += w[s + 2] * frame[n[s + 2]];
            v += w[s + 3] * frame[n[s + 3]];
            frame[targets[t]] = ScalarCalibration.Round(v, max);
        }
    }
}
