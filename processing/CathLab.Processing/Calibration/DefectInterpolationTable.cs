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
            int left = x - 1, right = x + 1, up = y - 1, down = y + 1;
            while (left >= 0 && map.IsDefective(left, y)) left--;
            while (right < g.Width && map.IsDefective(right, y)) right++;
            while (up >= 0 && map.IsDefective(x, up)) up--;
            while (down < g.Height && map.IsDefective(x, down)) down++;
            int pairs = 0;
            pairs += Pair(left >= 0 ? y * g.Width + left : -1, x - left, right < g.Width ? y * g.Width + right : -1, right - x, n[..2], w[..2]);
            pairs += Pair(up >= 0 ? up * g.Width + x : -1, y - up, down < g.Height ? down * g.Width + x : -1, down - y, n[2..], w[2..]);
            if (pairs == 0)
                throw new InvalidOperationException($"defect pixel ({x}, {y}) has no good neighbour on its row or column");
            for (int s = 0; s < Slots; s++) weights[t * Slots + s] = (float)(w[s] / pairs);
        }
        return new DefectInterpolationTable(targets, neighbours, weights);
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
