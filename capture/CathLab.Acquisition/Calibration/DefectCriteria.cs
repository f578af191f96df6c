namespace CathLab.Acquisition.Calibration;

/// <summary>When a detector pixel, row or column counts as defective (docs/calibration.md). Responses are flood minus
/// dark means; medians are over the whole frame.</summary>
public sealed record DefectCriteria
{
    /// <summary>A pixel whose flood response is off the median response by more than this fraction (0.3: below 70 % or
    /// above 130 %). The detector's vignetting (up to 12 % at the corners) stays well inside it.</summary>
    public double ResponseTolerance { get; init; } = 0.3;

    /// <summary>A pixel whose dark level is off the median dark level by more than this fraction of full scale (hot or
    /// stuck pixels; 3 % is 491 LSB at 14 bits).</summary>
    public double DarkToleranceOfFullScale { get; init; } = 0.03;

    /// <summary>A pixel whose dark noise (standard deviation over the dark frames) exceeds this many times the median dark
    /// noise (needs two dark frames or more).</summary>
    public double NoiseFactor { get; init; } = 4;

    /// <summary>A row or column with more than this fraction of its pixels defective is defective as a whole: its
    /// remaining pixels are unreliable too and it is interpolated from its neighbours.</summary>
    public double LineFraction { get; init; } = 0.25;

    public void Validate()
    {
        if (!(ResponseTolerance is > 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(ResponseTolerance), ResponseTolerance, "the response tolerance is a fraction in (0, 1)");
        if (!(DarkToleranceOfFullScale is > 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(DarkToleranceOfFullScale), DarkToleranceOfFullScale, "the dark tolerance is a fraction of full scale in (0, 1)");
        if (!(NoiseFactor > 1)) throw new ArgumentOutOfRangeException(nameof(NoiseFactor), NoiseFactor, "the noise factor must exceed 1");
        if (!(LineFraction is > 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(LineFraction), LineFraction, "the line fraction is in (0, 1]");
    }
}
