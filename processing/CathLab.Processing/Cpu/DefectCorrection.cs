using CathLab.Processing.Calibration;

namespace CathLab.Processing.Cpu;

/// <summary>Replaces each defective pixel by the weighted mean of its good neighbours, in place.</summary>
internal static class DefectCorrection
{
    public static void Apply(DefectInterpolationTable table, Span<ushort> frame, float max) => Apply(table, 0, table.Targets.Length, frame, max);

    /// <summary>Fixes defects [<paramref name="first"/>, <paramref name="end"/>) of the table (targets are in index order).</summary>
    public static void Apply(DefectInterpolationTable table, int first, int end, Span<ushort> frame, float max)
    {
        var targets = table.Targets;
        var n = table.Neighbours;
        var w = table.Weights;
        for (int t = first; t < end; t++)
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
