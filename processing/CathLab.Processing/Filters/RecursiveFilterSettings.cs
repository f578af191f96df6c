namespace CathLab.Processing.Filters;

/// <summary>Motion-adaptive first-order recursive (temporal) filter:
/// <c>y[n] = y[n-1] + a * (x[n] - y[n-1])</c> with a per-pixel gain <c>a</c> that rises from
/// <see cref="Alpha"/> to 1 as <c>|x[n] - y[n-1]|</c> goes from <see cref="LowThreshold"/> to
/// <see cref="HighThreshold"/> standard deviations of that difference under the noise model.</summary>
public sealed record RecursiveFilterSettings
{
    /// <summary>Gain on a static pixel, (0, 1]; 1 turns the filter off.</summary>
    public double Alpha { get; init; } = 0.25;

    public double LowThreshold { get; init; } = 3.5;

    public double HighThreshold { get; init; } = 6.0;

    /// <summary>Predicted SNR gain on a static scene at steady state: <c>sqrt((2 - a) / a)</c>.</summary>
    public double PredictedSnrGain => Math.Sqrt((2 - Alpha) / Alpha);

    /// <summary>Standard deviation of <c>x[n] - y[n-1]</c> per unit noise sigma, at steady state: <c>sqrt(2 / (2 - a))</c>.</summary>
    public double DifferenceSigmaFactor => Math.Sqrt(2 / (2 - Alpha));

    /// <summary>Documented lag, in frames, for an edge whose step exceeds <see cref="HighThreshold"/>
    /// difference sigmas: it is followed in the frame it appears (gain 1), so the lag is 0 frames.</summary>
    public const int LagFramesForStrongEdges = 0;

    public void Validate()
    {
        if (!(Alpha >= 0.05 && Alpha <= 1)) throw new ArgumentOutOfRangeException(nameof(Alpha), Alpha, "recursive filter gain must be in [0.05, 1]");
        if (!(LowThreshold >= 0.5 && LowThreshold < HighThreshold && HighThreshold <= 20))
            throw new ArgumentOutOfRangeException(nameof(LowThreshold), $"recursive filter thresholds must satisfy 0.5 <= low ({LowThreshold}) < high ({HighThreshold}) <= 20");
    }
}
