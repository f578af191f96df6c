using CathLab.FirmwareBridge.Abc;
using CathLab.FirmwareBridge.Tests.Support;
using CathLab.Wire.Generator;

namespace CathLab.FirmwareBridge.Tests.Abc;

/// <summary>Property-style: whatever brightness the controller is fed, the technique it sends never breaks the
/// dose-rate, power or generator limits, judged with the tube's true output.</summary>
public sealed class DoseLimitPropertyTests
{
    private static readonly GeneratorCapabilities Caps = TestCapabilities.Default;

    private static double NextAdversarial(Random random, int frame, double previous, int strategy) => strategy switch
    {
        0 => random.NextDouble() < 0.5 ? 0 : 1e9,                                   // bang-bang
        1 => frame % 2 == 0 ? double.NaN : -random.NextDouble() * 1e4,              // garbage
        2 => random.NextDouble() < 0.05 ? double.PositiveInfinity : random.NextDouble() * 50, // starving dark
        3 => previous * Math.Exp(random.NextDouble() * 4 - 2),                      // random walk over decades
        4 => frame % 7 == 0 ? 1e-12 : 1500,                                         // sudden darkness
        _ => random.NextDouble() * 5000,
    };

    [Theory]
    [InlineData(ExposureKind.Fluoro, 88.0)]
    [InlineData(ExposureKind.HighLevelFluoro, 176.0)]
    public void Adversarial_brightness_never_breaks_the_dose_rate_limit(ExposureKind kind, double limit)
    {
        int checkedFrames = 0;
        for (int seed = 0; seed < 120; seed++)
        {
            var random = new Random(seed);
            int strategy = seed % 6;
            var curve = (DoseCurveKind)(seed % 3);
            double pulseRate = new[] { 3.75, 7.5, 15, 30, 60 }[seed % 5];
            var calibration = new TubeOutputCalibration();
            var limiter = new DoseRateLimiter(Caps, calibration);
            var controller = new AutoDoseController(limiter, kind, pulseRate, new AbcOptions { Curve = curve });
            var technique = controller.Initial().Technique;
            double brightness = 1000;
            for (int frame = 0; frame < 300; frame++)
            {
                // The generator's report of the pulse just made (with its ±0.5 % spread) calibrates the model.
                var measured = new Technique(technique.Kv * (1 + 0.005 * (2 * random.NextDouble() - 1)), technique.Ma * (1 + 0.005 * (2 * random.NextDouble() - 1)), technique.PulseWidthMs);
                calibration.Observe(measured, AbcPlant.TrueOutputMilliGrayPerMas(measured.Kv) * measured.MilliampereSeconds);
                brightness = NextAdversarial(random, frame, double.IsFinite(brightness) && brightness > 0 ? brightness : 1000, strategy);
                // Half the time the frame claims a technique that was never sent (a garbled header).
                var frameTechnique = random.NextDouble() < 0.5 ? measured : new Technique(random.NextDouble() * 200 - 20, random.NextDouble() * 2000, random.NextDouble() * 30);
                var decision = controller.Next(brightness, frameTechnique);
                technique = decision.Applied.Technique;

                // Worst case the generator delivers: +0.5 % kV and mA over the set values.
                var worst = new Technique(technique.Kv * 1.005, technique.Ma * 1.005, technique.PulseWidthMs);
                double trueRate = AbcPlant.TrueOutputMilliGrayPerMas(worst.Kv) * worst.MilliampereSeconds * pulseRate * 60;
                Assert.True(trueRate <= limit, $"seed {seed} frame {frame}: {trueRate:0.00} mGy/min at {technique} ({pulseRate} p/s)");
                Assert.Null(Caps.Violation(new TechniqueSetting(kind, technique, pulseRate)));
                checkedFrames++;
            }
        }
        Assert.Equal(120 * 300, checkedFrames);
    }

    [Fact]
    public void The_limit_holds_from_the_first_pulse_before_any_calibration()
    {
        var limiter = new DoseRateLimiter(Caps, new TubeOutputCalibration());
        foreach (double kv in new[] { 40.0, 70, 90, 110, 125 })
        {
            foreach (double rate in new[] { 1.0, 15, 60 })
            {
                var limited = limiter.Apply(new Technique(kv, 1000, 10), ExposureKind.Fluoro, rate);
                double trueRate = AbcPlant.TrueOutputMilliGrayPerMas(limited.Technique.Kv) * limited.Technique.MilliampereSeconds * rate * 60;
                Assert.True(trueRate <= 88, $"{kv} kV {rate} p/s: {trueRate:0.0}");
                Assert.True(limited.PredictedRateMilliGrayPerMin <= 88 * limiter.Margin + 1e-9);
                bool over = limiter.PredictRate(new Technique(kv, 1000, 10), rate) > 88 * limiter.Margin;
                Assert.Equal(over, limited.Limits.HasFlag(TechniqueLimits.DoseRate));
            }
        }
    }

    [Fact]
    public void A_tube_hotter_than_the_calibration_window_shows_is_caught_by_the_worst_ratio()
    {
        var calibration = new TubeOutputCalibration();
        for (int i = 0; i < 50; i++)
        {
            var t = new Technique(80, 20, 6);
            // Outputs scatter by ±10 %; the bound must cover the highest.
            double scatter = 1 + 0.1 * Math.Sin(i);
            calibration.Observe(t, AbcPlant.TrueOutputMilliGrayPerMas(80) * t.MilliampereSeconds * scatter);
        }
        Assert.True(calibration.UpperBoundMilliGrayPerMas(80) >= AbcPlant.TrueOutputMilliGrayPerMas(80) * 1.099);
    }
}
