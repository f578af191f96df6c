namespace CathLab.Sims.Phantom;

/// <summary>Water-equivalent path length (cm) and lead path (cm) through the patient at each world pixel.
/// Smooth shapes only: the detail of a chest is not the point, the range of attenuation is.</summary>
public static class AnatomyBuilder
{
    public static float[] WaterPath(PhantomPreset preset, int worldSide, double thicknessCm)
    {
        var path = new float[worldSide * worldSide];
        for (int y = 0; y < worldSide; y++)
        {
            double v = (y + 0.5) / worldSide - 0.5;
            for (int x = 0; x < worldSide; x++)
            {
                double u = (x + 0.5) / worldSide - 0.5;
                path[y * worldSide + x] = (float)(preset switch
                {
                    PhantomPreset.Coronary => Chest(u, v, thicknessCm),
                    PhantomPreset.Peripheral => Thigh(u, thicknessCm),
                    _ => thicknessCm,
                });
            }
        }
        return path;
    }

    public static float[] LeadPath(IReadOnlyList<LeadObject> leads, int worldSide, int margin, int fieldSide)
    {
        var path = new float[worldSide * worldSide];
        foreach (var lead in leads)
        {
            int x0 = Math.Clamp((int)Math.Round(margin + (lead.CentreX - lead.Width / 2) * fieldSide), 0, worldSide);
            int x1 = Math.Clamp((int)Math.Round(margin + (lead.CentreX + lead.Width / 2) * fieldSide), 0, worldSide);
            int y0 = Math.Clamp((int)Math.Round(margin + (lead.CentreY - lead.Height / 2) * fieldSide), 0, worldSide);
            int y1 = Math.Clamp((int)Math.Round(margin + (lead.CentreY + lead.Height / 2) * fieldSide), 0, worldSide);
            for (int y = y0; y < y1; y++)
            {
                path.AsSpan(y * worldSide + x0, x1 - x0).Fill((float)(lead.ThicknessMm / 10));
            }
        }
        return path;
    }

    private static double Chest(double u, double v, double thicknessCm)
    {
        // Lungs replace about a third of the path with air; the heart shadow and the spine add it back.
        double lungs = 0.33 * (Blob(u + 0.28, v + 0.05, 0.22, 0.38) + Blob(u - 0.28, v + 0.05, 0.22, 0.38));
        double heart = 0.25 * Blob(u + 0.04, v - 0.12, 0.26, 0.24);
        double spine = 0.12 * Blob(u, v, 0.06, 2.0);
        double diaphragm = 0.15 / (1 + Math.Exp(-(v - 0.3) / 0.03));
        double ribs = 0.02 * Math.Max(0, Math.Sin(v * 40));
        return thicknessCm * (1 - lungs * (1 - heart) + spine + diaphragm + ribs);
    }

    private static double Thigh(double u, double thicknessCm)
    {
        double radius = 0.62;
        double chord = Math.Sqrt(Math.Max(0.04, 1 - u * u / (radius * radius)));
        double femur = 0.15 * Blob(u + 0.05, 0, 0.07, 5.0);
        return thicknessCm * (chord + femur);
    }

    /// <summary>A smooth bump: 1 at the centre, falling to 0 at the ellipse (half-axes a, b).</summary>
    private static double Blob(double du, double dv, double a, double b)
    {
        double r2 = du * du / (a * a) + dv * dv / (b * b);
        return r2 >= 1 ? 0 : Smooth(1 - r2);
    }

    private static double Smooth(double t) => t * t * (3 - 2 * t);
}
