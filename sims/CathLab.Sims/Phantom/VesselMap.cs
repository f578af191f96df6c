namespace CathLab.Sims.Phantom;

/// <summary>Projected vessel lumen in world pixels: at each pixel the chord through the vessel, in
/// units of <see cref="MillimetresPerUnit"/>. Built once; read-only afterwards.</summary>
public sealed class VesselMap
{
    public const double MillimetresPerUnit = 0.05;

    private readonly double _pixelMm;

    public VesselMap(int side, double pixelMm)
    {
        Side = side;
        _pixelMm = pixelMm;
        Chords = new byte[side * side];
    }

    public int Side { get; }
    public byte[] Chords { get; }

    /// <summary>Draws a vessel cross-section of <paramref name="diameterMm"/> centred at (x, y); where
    /// vessels overlap the thicker chord wins.</summary>
    public void StampDisc(double x, double y, double diameterMm)
    {
        double radiusPx = diameterMm / 2 / _pixelMm;
        int x0 = Math.Max(0, (int)Math.Floor(x - radiusPx));
        int x1 = Math.Min(Side - 1, (int)Math.Ceiling(x + radiusPx));
        int y0 = Math.Max(0, (int)Math.Floor(y - radiusPx));
        int y1 = Math.Min(Side - 1, (int)Math.Ceiling(y + radiusPx));
        double r2 = radiusPx * radiusPx;
        for (int py = y0; py <= y1; py++)
        {
            for (int px = x0; px <= x1; px++)
            {
                double dx = px - x;
                double dy = py - y;
                double d2 = dx * dx + dy * dy;
                if (d2 >= r2)
                {
                    continue;
                }
                double chordMm = 2 * Math.Sqrt(r2 - d2) * _pixelMm;
                byte units = (byte)Math.Min(255, Math.Round(chordMm / MillimetresPerUnit));
                ref byte cell = ref Chords[py * Side + px];
                if (units > cell)
                {
                    cell = units;
                }
            }
        }
    }
}
