namespace CathLab.Processing.Filters;

/// <summary>Quantum plus electronic noise of a calibrated frame: <c>variance(v) = Slope * v + Intercept</c>
/// in LSB^2 (Slope is LSB per detected quantum; Intercept the read-noise variance).</summary>
public readonly record struct NoiseModel(double Slope, double Intercept)
{
    public static NoiseModel Default => new(1.0, 4.0);

    public double Sigma(double value) => Math.Sqrt(Slope * Math.Max(value, 0) + Intercept);

    public void Validate()
    {
        if (!(Slope >= 0 && Slope <= 1000)) throw new ArgumentOutOfRangeException(nameof(Slope), Slope, "noise slope must be in [0, 1000] LSB per quantum");
        if (!(Intercept > 0 && Intercept <= 1e6)) throw new ArgumentOutOfRangeException(nameof(Intercept), Intercept, "noise intercept (read-noise variance) must be in (0, 1e6] LSB^2");
    }
}
