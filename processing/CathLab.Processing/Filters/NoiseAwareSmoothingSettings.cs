namespace CathLab.Processing.Filters;

/// <summary>Noise-aware 3x3 smoothing (a sigma filter): each pixel becomes the mean of those 3x3
/// neighbours that differ from it by at most <see cref="Threshold"/> noise sigmas, so noise is
/// averaged while edges stronger than the noise are kept.</summary>
public sealed record NoiseAwareSmoothingSettings
{
    public bool Enabled { get; init; }

    public double Threshold { get; init; } = 2.0;

    public void Validate()
    {
        if (!(Threshold >= 0.5 && Threshold <= 10)) throw new ArgumentOutOfRangeException(nameof(Threshold), Threshold, "smoothing threshold must be in [0.5, 10] sigmas");
    }
}
