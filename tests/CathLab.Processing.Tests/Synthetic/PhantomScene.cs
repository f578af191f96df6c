namespace CathLab.Processing.Tests.Synthetic;

/// <summary>Synthetic X-ray frames with known ground truth, standing in for the simulator.</summary>
/// <remarks>
/// Attenuation (line integral of mu) at pixel centre (x, y):
///   mu(x, y) = 0.4 + 0.15 * x / W (a soft-tissue wedge)
///            + sum over 40 seeded Gaussian blobs (amplitude 0.05..0.35, sigma 4..40 px: bones, organs)
///            + contrast * exp(-d^2 / (2 * 2.5^2)), d the horizontal distance to a sinuous vessel
///              centred at x = 0.45 W + 12 sin(2 pi y / 150) + vesselOffset.
/// Expected counts are I0 * exp(-mu) with I0 = <see cref="Flux"/> quanta per pixel, 1 LSB per quantum,
/// plus <see cref="DarkLevel"/>; each frame adds Poisson quantum noise from a seeded RNG.
/// A shift (dx, dy) renders the anatomy at (x - dx, y - dy). Because every term is a smooth Gaussian
/// (spectrum at Nyquist below e^-40 for sigma >= 4 px), evaluating it at shifted coordinates is the
/// band-limited (ideal) interpolation of the unshifted scene, integer and sub-pixel alike.
/// </remarks>
internal sealed class PhantomScene
{
    private readonly (double X, double Y, double Sigma, double Amplitude)[] _blobs;

    public PhantomScene(int width, int height, int seed = 1234, double flux = 6000, double darkLevel = 0)
    {
        Width = width;
        Height = height;
        Flux = flux;
        DarkLevel = darkLevel;
        var rng = new Random(seed);
        _blobs = new (double, double, double, double)[40];
        for (int i = 0; i < _blobs.Length; i++)
            _blobs[i] = (rng.NextDouble() * width, rng.NextDouble() * height, 4 + rng.NextDouble() * 36, 0.05 + rng.NextDouble() * 0.3);
    }

    public int Width { get; }
    public int Height { get; }
    public double Flux { get; }
    public double DarkLevel { get; }

    public double VesselCentre(double y, double vesselOffset) => 0.45 * Width + 12 * Math.Sin(2 * Math.PI * y / 150) + vesselOffset;

    /// <summary>Noise-free expected detector values (LSB).</summary>
    public double[] Expected(double shiftX = 0, double shiftY = 0, double contrast = 0, double vesselOffset = 0)
    {
        var expected = new double[Width * Height];
        Parallel.For(0, Height, y =>
        {
            for (int x = 0; x < Width; x++)
            {
                double ax = x - shiftX, ay = y - shiftY;
                double mu = 0.4 + 0.15 * ax / Width;
                foreach (var b in _blobs)
                {
                    double dx = ax - b.X, dy = ay - b.Y;
                    double r2 = dx * dx + dy * dy;
                    if (r2 < 36 * b.Sigma * b.Sigma) mu += b.Amplitude * Math.Exp(-r2 / (2 * b.Sigma * b.Sigma));
                }
                if (contrast != 0)
                {
                    double d = ax - VesselCentre(ay, vesselOffset);
                    mu += contrast * Math.Exp(-d * d / (2 * 2.5 * 2.5));
                }
                expected[y * Width + x] = DarkLevel + Flux * Math.Exp(-mu);
            }
        });
        return expected;
    }

    /// <summary>One noisy frame: Poisson counts around <paramref name="expected"/> (minus the dark level).</summary>
    public ushort[] Noisy(double[] expected, int seed)
    {
        var frame = new ushort[expected.Length];
        var rng = new Random(seed);
        for (int i = 0; i < frame.Length; i++)
            frame[i] = (ushort)Math.Min(65535, DarkLevel + PoissonNoise.Sample(rng, expected[i] - DarkLevel));
        return frame;
    }
}
