using CathLab.Acquisition.Calibration;

namespace CathLab.Acquisition.Tests.Calibration;

public sealed class ConstancyCheckTests
{
    private static readonly ConstancyLimits Limits = new(MaxNonUniformityPercent: 1, MaxNoiseIncreasePercent: 20, MinSnrPerDoseRatio: 0.8, MaxNewDefects: 10);
    private static readonly ConstancyFigures Baseline = new(0.3, 2.0, 5000, 300);

    [Fact]
    public void Figures_within_the_limits_pass()
    {
        var result = ConstancyCheck.Judge(DateTimeOffset.UtcNow, "cal", new ConstancyFigures(0.4, 2.2, 4500, 305), Baseline, Limits);
        Assert.True(result.Passed, string.Join("; ", result.Failures));
    }

    [Fact]
    public void Each_limit_fails_on_its_own()
    {
        Assert.Contains("non-uniformity", Only(new ConstancyFigures(1.5, 2.0, 5000, 300)));
        Assert.Contains("noise", Only(new ConstancyFigures(0.3, 2.5, 5000, 300)));
        Assert.Contains("SNR2", Only(new ConstancyFigures(0.3, 2.0, 3500, 300)));
        Assert.Contains("defective pixels more", Only(new ConstancyFigures(0.3, 2.0, 5000, 311)));
    }

    [Fact]
    public void A_corrected_synthetic_flood_measures_flat_and_the_history_keeps_every_check()
    {
        var detector = new SyntheticDetector(128);
        var built = CalibrationBuilderTests.Build(detector);
        var figures = ConstancyCheck.Measure(built.Data, [detector.Flood(), detector.Flood()], 2.0, new DefectCriteria());
        Assert.True(figures.NonUniformityPercent < 0.5, figures.ToString());
        Assert.InRange(figures.NoisePercent, 0.1, 5);
        Assert.Equal(built.DefectPixels, figures.DefectPixels);

        string folder = Directory.CreateTempSubdirectory("cathlab-constancy-").FullName;
        try
        {
            var history = new ConstancyHistory(folder);
            history.Append(ConstancyCheck.Judge(DateTimeOffset.UtcNow, "a", figures, null, Limits));
            history.Append(ConstancyCheck.Judge(DateTimeOffset.UtcNow, "a", figures with { NonUniformityPercent = 3 }, figures, Limits));
            var read = history.Read();
            Assert.Equal(2, read.Count);
            Assert.True(read[0].Passed);
            Assert.False(read[1].Passed);
            Assert.Equal(figures, read[1].Baseline);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static string Only(ConstancyFigures figures)
    {
        var result = ConstancyCheck.Judge(DateTimeOffset.UtcNow, "cal", figures, Baseline, Limits);
        return Assert.Single(result.Failures);
    }
}
