namespace CathLab.Processing.Calibration;

/// <summary>For each defective pixel, up to four good neighbours and their weights: the nearest good
/// pixels left and right on its row and above and below in its column, each pair weighted by inverse
/// distance (linear interpolation). A defective row is therefore filled from the rows above and below,
/// a defective column from the columns beside it, an isolated pixel from all four sides.</summary>
/// <remarks>Unused slots point at the pixel itself with weight 0. Neighbours are always good pixels, so
/// the table can be applied in place in any order.</remarks>
public sealed class DefectInterpolationTable
{
    public const int Slots = 4;

    private DefectInterpolationTable(int[] targets, int[] neighbours, float[] weights)
    {
        Targets = targets;
        Neighbours = neighbours;
        Weights = weights;
    }

    public int Count => Targets.Length;

    /// <summary>Index of each defective pixel.</summary>
    public int[] Targets { get; }

    /// <summary><see cref="Slots"/> neighbour indices per defective pixel.</summary>
    public int[] Neighbours { get; }

    /// <summary><see cref="Slots"/> weights per defective pixel, summing to 1.</summary>
    public float[] Weights { get; }

    public static DefectInterpolationTable Build(DefectMap map)
    {
        var g = map.Geometry;
        var targets = map.DefectiveIndices().ToArray();
        var neighbours = new int[targets.Length * Slots];
        var weights = new float[targets.Length * Slots];
        Span<double> w = stackalloc double[Slots];
        for (int t = 0; t < targets.Length; t++)
        {
            int index = targets[t], x = index % g.Width, y = index / g.Width;
            Span<int> n = neighbours.AsSpan(t * Slots, Slots);
            n.Fill(index);
            w.Clear();
            int pairs = Pairs(map, x, y, (1, 0), (0, 1), n, w);
            // Where a defective row crosses a defective column, fall back to the diagonals.
            if (pairs == 0) pairs = Pairs(map, x, y, (1, 1), (1, -1), n, w);
            if (pairs == 0)
                throw new InvalidOperationException($"defect pixel ({x}, {y}) has no good neighbour on its row, column or diagonals");
            for (int s = 0; s < Slots; s++) weights[t * Slots + s] = (float)(w[s] / pairs);
        }
        return new DefectInterpolationTable(targets, neighbours, weights);
    }

    private static int Pairs(DefectMap map, int x, int y, (int X, int Y) first, (int X, int Y) second, Span<int> n, Span<double> w)
    {
        var (a, da) = Nearest(map, x, y, -first.X, -first.Y);
        var (b, db) = Nearest(map, x, y, first.X, first.Y);
        int pairs = Pair(a, da, b, db, n[..2], w[..2]);
        (a, da) = Nearest(map, x, y, -second.X, -second.Y);
        (b, db) = Nearest(map, x, y, second.X, second.Y);
        return pairs + Pair(a, da, b, db, n[2..], w[2..]);
    }

    // The nearest good pixel from (x, y) in direction (dx, dy): its index and distance in steps, or -1.
    private static (int Index, int Steps) Nearest(DefectMap map, int x, int y, int dx, int dy)
    {
        var g = map.Geometry;
        for (int step = 1; ; step++)
        {
            int px = x + step * dx, py = y + step * dy;
            if ((uint)px >= (uint)g.Width || (uint)py >= (uint)g.Height) return (-1, 0);
            if (!map.IsDefective(px, py)) return (py * g.Width + px, step);
        }
    }

    // Linear interpolation between the good pixels on either side; one side alone is copied.
    private static int Pair(int a, int da, int b, int db, Span<int> n, Span<double> w)
    {
        if (a < 0 && b < 0) { w.Clear(); return 0; }
        if (a < 0) { n[1] = b; w[0] = 0; w[1] = 1; return 1; }
        if (b < 0) { n[0] = a; w[0] = 1; w[1] = 0; return 1; }
        n[0] = a; n[1] = b;
        w[0] = (double)db / (da + db);
        w[1] = (double)da / (da + db);
        return 1;
    }
}
