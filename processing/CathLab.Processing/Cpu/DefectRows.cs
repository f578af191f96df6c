using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
using CathLab.Processing.Calibration;

namespace CathLab.Processing.Cpu;

/// <summary>The defect table indexed by row, so the fused pass can fix a row's defects as soon as the rows
/// their neighbours lie on are calibrated: <see cref="Up"/> and <see cref="Down"/> say how far those are.</summary>
internal sealed class DefectRows
{
    private readonly DefectInterpolationTable _table;
    private readonly int[] _rowStart;

    public DefectRows(DefectInterpolationTable table, int width, int height)
    {
        _table = table;
        _rowStart = new int[height + 1];
        var targets = table.Targets;
        for (int t = 0; t < targets.Length; t++)
        {
            int row = targets[t] / width;
            _rowStart[row + 1]++;
            for (int s = 0; s < DefectInterpolationTable.Slots; s++)
            {
                int reach = table.Neighbours[t * DefectInterpolationTable.Slots + s] / width - row;
                if (reach > Down) Down = reach;
                if (-reach > Up) Up = -reach;
            }
        }
        for (int y = 0; y < height; y++) _rowStart[y + 1] += _rowStart[y];
    }

    /// <summary>The furthest row above a defect that its neighbours lie on.</summary>
    public int Up { get; }

    /// <summary>The furthest row below a defect that its neighbours lie on.</summary>
    public int Down { get; }

    /// <summary>Fixes the defects on rows [<paramref name="y0"/>, <paramref name="y1"/>) in place (targets are in index order).</summary>
    public void Apply(int y0, int y1, Span<ushort> frame, float max)
    {
        Prefetch(y1 + PrefetchRows);
        DefectCorrection.Apply(_table, _rowStart[y0], _rowStart[y1], frame, max);
    }

    /// <summary>Rows ahead whose table entries are fetched into cache while this row is fixed. The fused pass
    /// streams ~20 KB of frame data per row, which evicts the table between rows: fetched on demand, the
    /// few table lines a row needs cost more than its fix.</summary>
    private const int PrefetchRows = 8;

    private unsafe void Prefetch(int row)
    {
        if (!Sse.IsSupported || row >= _rowStart.Length - 1) return;
        int t = _rowStart[row];
        if (t == _rowStart[row + 1]) return;
        Sse.Prefetch0(Unsafe.AsPointer(ref _table.Targets[t]));
        Sse.Prefetch0(Unsafe.AsPointer(ref _table.Neighbours[t * DefectInterpolationTable.Slots]));
        Sse.Prefetch0(Unsafe.AsPointer(ref _table.Weights[t * DefectInterpolationTable.Slots]));
    }
}
