using CathLab.Processing.Display;

namespace CathLab.Processing.Pipeline;

/// <summary>Everything one frame's passes need, as the float constants both backends use verbatim,
/// so that they compute the same operations on the same operands.</summary>
internal readonly record struct ChainConstants
{
    public PixelStage Stage { get; init; }
    public float MaxValue { get; init; }

    // recursive filter
    public float AlphaMin { get; init; }
    public float AlphaRamp { get; init; }
    public float NoiseSlope { get; init; }
    public float NoiseIntercept { get; init; }
    public float DifferenceVarianceFactor { get; init; }
    public float LowThreshold { get; init; }
    public float InverseThresholdSpan { get; init; }

    /// <summary>The variance of the recursive filter's difference for a state y in Q(F), both backends'
    /// operands: <c>Slope * y + Intercept</c> in Q(F) units squared, i.e. the noise model times
    /// <see cref="DifferenceVarianceFactor"/>, scaled by 2^F and 2^2F. The intercept is at least the smallest
    /// normal float, so that with Slope, y &gt;= 0 the variance is always positive and the motion test's
    /// d^2 / variance never 0 / 0 (a noise intercept too small for a float would be 0).</summary>
    public (float Slope, float Intercept) DifferenceVarianceQ(int fractionBits)
    {
        double q = 1 << fractionBits;
        float intercept = (float)((double)NoiseIntercept * DifferenceVarianceFactor * q * q);
        return ((float)((double)NoiseSlope * DifferenceVarianceFactor * q), Math.Max(intercept, SmallestNormal));
    }

    private const float SmallestNormal = 1.17549435E-38f; // 2^-126

    // subtraction and roadmap
    public float SubtractionOffset { get; init; }
    public float SubtractionGain { get; init; }
    public float OverlayGain { get; init; }

    // noise-aware smoothing
    public bool Smooth { get; init; }
    public float SmoothThresholdSquared { get; init; }

    // unsharp mask
    public int BoxRadius { get; init; }
    public float UnsharpGain { get; init; }
    public float InverseBoxArea { get; init; }

    // display
    public OutputFormat Format { get; init; }
    public float WindowLow { get; init; }
    public float WindowScale { get; init; }
    public int DownscaleFactor { get; init; }
}
