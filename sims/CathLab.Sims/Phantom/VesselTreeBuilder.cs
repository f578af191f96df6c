namespace CathLab.Sims.Phantom;

/// <summary>Grows a synthetic vessel tree by seeded random walks: each branch curves gently, tapers,
/// and sends off thinner side branches (diameters after Murray's law, d_child ≈ 0.7·d_parent).</summary>
public sealed class VesselTreeBuilder
{
    private const double StepPx = 1.5;
    private const double MinDiameterMm = 0.9;
    private readonly VesselMap _map;
    private readonly Random _random;

    private VesselTreeBuilder(VesselMap map, int seed)
    {
        _map = map;
        _random = new Random(seed);
    }

    public static VesselMap Build(PhantomPreset preset, int worldSide, double pixelMm, int seed)
    {
        var map = new VesselMap(worldSide, pixelMm);
        var builder = new VesselTreeBuilder(map, seed);
        double s = worldSide;
        switch (preset)
        {
            case PhantomPreset.Coronary:
                // Left main splitting into LAD (down and to the left of the image) and circumflex.
                builder.Grow(0.56 * s, 0.30 * s, Math.PI * 0.62, 4.0, 0.10 * s, depth: 0, branchEveryPx: 1e9);
                builder.Grow(0.50 * s, 0.36 * s, Math.PI * 0.55, 3.5, 0.55 * s, depth: 1, branchEveryPx: 0.07 * s);
                builder.Grow(0.50 * s, 0.36 * s, Math.PI * 0.95, 3.0, 0.40 * s, depth: 1, branchEveryPx: 0.09 * s);
                // Right coronary artery: a C-shaped course on the other side.
                builder.Grow(0.62 * s, 0.34 * s, Math.PI * 0.15, 3.5, 0.60 * s, depth: 1, branchEveryPx: 0.10 * s, curl: 0.006);
                break;
            case PhantomPreset.Peripheral:
                builder.Grow(0.48 * s, 0, Math.PI / 2, 7.0, 1.0 * s, depth: 2, branchEveryPx: 0.22 * s, wander: 0.02);
                builder.Grow(0.48 * s, 0.25 * s, Math.PI * 0.62, 5.0, 0.8 * s, depth: 2, branchEveryPx: 0.18 * s, wander: 0.03);
                break;
            case PhantomPreset.WaterSlab:
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(preset), preset, null);
        }
        return map;
    }

    private void Grow(double x, double y, double angle, double diameterMm, double lengthPx, int depth,
        double branchEveryPx, double wander = 0.06, double curl = 0)
    {
        double taperPerPx = diameterMm * 0.35 / lengthPx;
        double nextBranchAt = branchEveryPx * (0.5 + _random.NextDouble());
        double turnRate = 0;
        for (double walked = 0; walked < lengthPx && diameterMm >= MinDiameterMm; walked += StepPx)
        {
            _map.StampDisc(x, y, diameterMm);
            turnRate = 0.9 * turnRate + wander * (_random.NextDouble() - 0.5);
            angle += turnRate + curl;
            x += StepPx * Math.Cos(angle);
            y += StepPx * Math.Sin(angle);
            if (x < 0 || y < 0 || x >= _map.Side || y >= _map.Side)
            {
                return;
            }
            diameterMm -= taperPerPx * StepPx;
            if (walked >= nextBranchAt && depth < 4)
            {
                double side = _random.NextDouble() < 0.5 ? -1 : 1;
                double childDiameter = diameterMm * (0.55 + 0.2 * _random.NextDouble());
                double childLength = lengthPx * (0.3 + 0.3 * _random.NextDouble());
                Grow(x, y, angle + side * (0.5 + 0.5 * _random.NextDouble()), childDiameter, childLength,
                    depth + 1, branchEveryPx * 0.8, wander, curl);
                nextBranchAt = walked + branchEveryPx * (0.5 + _random.NextDouble());
            }
        }
    }
}
