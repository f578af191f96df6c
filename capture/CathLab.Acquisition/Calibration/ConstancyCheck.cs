using CathLab.Processing.Calibration;

namespace CathLab.Acquisition.Calibration;

/// <summary>Pass/fail limits of the constancy check (Station:Calibration).</summary>
public sealed record ConstancyLimits(double MaxNonUniformityPercent, double MaxNoiseIncreasePercent, double MinSnrPerDoseRatio, int MaxNewDefects);

/// <summary>One constancy check: its figures, the baseline they were held against, and what failed (empty: passed).</summary>
public sealed record ConstancyResult(DateTimeOffset At, string CalibrationId, ConstancyFigures Figures, ConstancyFigures? Baseline, IReadOnlyList<string> Failures)
{
    public bool Passed => Failures.Count == 0;
}

/// <summary>Measures corrected flood frames: non-uniformity (<see cref="FloodUniformity"/> of each corrected frame, the
/// largest), noise from the difference of the first two (σ(A − B)/√2 over the mean, central half of the field), SNR² per
/// µGy of reference air kerma, and defects (the calibration's, plus pixels of the corrected mean flood off the median by
/// more than the response tolerance that the calibration does not know).</summary>
public static class ConstancyCheck
{
    public static ConstancyFigures Measure(CalibrationData calibration, IReadOnlyList<ushort[]> rawFloods, double kermaPerFrameMicroGray, DefectCriteria criteria)
    {
        if (rawFloods.Count < 2) throw new ArgumentException("a constancy check needs two flood frames or more", nameof(rawFloods));
        var g = calibration.Geometry;
        var corrected = new List<ushort[]>(rawFloods.Count);
        double nonUniformity = 0;
        foreach (var raw in rawFloods)
        {
            var c = new ushort[raw.Length];
            calibration.Correct(raw, c);
            corrected.Add(c);
            nonUniformity = Math.Max(nonUniformity, FloodUniformity.Measure(c, g.Width).RmsPercent);
        }
        var (mean, sigma) = DifferenceNoise(corrected[0], corrected[1], g.Width);
        double noise = 100 * sigma / mean;
        double snr2 = kermaPerFrameMicroGray > 0 ? mean * mean / (sigma * sigma) / kermaPerFrameMicroGray : 0;
        return new ConstancyFigures(nonUniformity, noise, snr2, calibration.Defects.Count + NewDefects(calibration, corrected, criteria));
    }

    public static ConstancyResult Judge(DateTimeOffset at, string calibrationId, ConstancyFigures figures, ConstancyFigures? baseline, ConstancyLimits limits)
    {
        var failures = new List<string>();
        if (figures.NonUniformityPercent > limits.MaxNonUniformityPercent)
            failures.Add($"non-uniformity {figures.NonUniformityPercent:0.00} % above {limits.MaxNonUniformityPercent:0.00} %");
        if (baseline is not null)
        {
            if (figures.NoisePercent > baseline.NoisePercent * (1 + limits.MaxNoiseIncreasePercent / 100))
                failures.Add($"noise {figures.NoisePercent:0.00} % more than {limits.MaxNoiseIncreasePercent:0} % above the baseline {baseline.NoisePercent:0.00} %");
            if (baseline.SnrSquaredPerMicroGray > 0 && figures.SnrSquaredPerMicroGray < baseline.SnrSquaredPerMicroGray * limits.MinSnrPerDoseRatio)
                failures.Add($"SNR2 per uGy {figures.SnrSquaredPerMicroGray:0} below {limits.MinSnrPerDoseRatio:0.00} x the baseline {baseline.SnrSquaredPerMicroGray:0}");
            if (figures.DefectPixels - baseline.DefectPixels > limits.MaxNewDefects)
                failures.Add($"{figures.DefectPixels - baseline.DefectPixels} defective pixels more than at calibration (limit {limits.MaxNewDefects})");
        }
        return new ConstancyResult(at, calibrationId, figures, baseline, failures);
    }

    /// <summary>Mean of A and σ of (A − B)/√2 over the central half of the field.</summary>
    private static (double Mean, double Sigma) DifferenceNoise(ushort[] a, ushort[] b, int side)
    {
        int from = side / 4, to = side - side / 4;
        double sum = 0, diffSum = 0, diffSquares = 0;
        long n = 0;
        for (int y = from; y < to; y++)
        {
            for (int x = from; x < to; x++)
            {
                int i = y * side + x;
                double d = a[i] - (double)b[i];
                sum += a[i];
                diffSum += d;
                diffSquares += d * d;
                n++;
            }
        }
        double diffMean = diffSum / n;
        double variance = diffSquares / n - diffMean * diffMean;
        return (sum / n, Math.Sqrt(Math.Max(variance, 1e-12) / 2));
    }

    private static int NewDefects(CalibrationData calibration, List<ushort[]> corrected, DefectCriteria criteria)
    {
        var g = calibration.Geometry;
        var mean = new double[g.PixelCount];
        foreach (var frame in corrected)
            for (int i = 0; i < mean.Length; i++) mean[i] += frame[i];
        for (int i = 0; i < mean.Length; i++) mean[i] /= corrected.Count;
        double median = CalibrationBuilder.Median(mean);
        int found = 0;
        for (int i = 0; i < mean.Length; i++)
            if (Math.Abs(mean[i] / median - 1) > criteria.ResponseTolerance && !calibration.Defects.IsDefective(i % g.Width, i / g.Width)) found++;
        return found;
    }
}
