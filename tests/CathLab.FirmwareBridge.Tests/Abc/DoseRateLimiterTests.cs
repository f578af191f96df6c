using CathLab.FirmwareBridge.Abc;
using CathLab.FirmwareBridge.Tests.Support;
using CathLab.Wire.Generator;

namespace CathLab.FirmwareBridge.Tests.Abc;

public sealed class DoseRateLimiterTests
{
    private static DoseRateLimiter Calibrated()
    {
        var c = new TubeOutputCalibration();
        for (double kv = 60; kv <= 120; kv += 5)
        {
            var t = new Technique(kv, 10, 5);
            c.Observe(t, AbcPlant.TrueOutputMilliGrayPerMas(kv) * t.MilliampereSeconds);
        }
        return new DoseRateLimiter(TestCapabilities.Default, c);
    }

    [Fact]
    public void A_technique_inside_every_limit_passes_unchanged()
    {
        var limited = Calibrated().Apply(new Technique(75, 20, 6), ExposureKind.Fluoro, 15);
        Assert.Equal(new Technique(75, 20, 6), limited.Technique);
        Assert.Equal(TechniqueLimits.None, limited.Limits);
    }

    [Fact]
    public void Dose_rate_cuts_pulse_width_first_then_ma()
    {
        var limiter = Calibrated();
        var limited = limiter.Apply(new Technique(80, 200, 8), ExposureKind.Fluoro, 15);
        Assert.True(limited.Limits.HasFlag(TechniqueLimits.DoseRate));
        Assert.Equal(4, limited.Technique.PulseWidthMs);
        Assert.True(limited.Technique.Ma < 200);
        Assert.Equal(80, limited.Technique.Kv);
        Assert.InRange(limited.PredictedRateMilliGrayPerMin, 0.9 * 88 * limiter.Margin, 88 * limiter.Margin);
    }

    [Fact]
    public void High_level_fluoro_allows_twice_the_rate_and_cine_has_no_rate_cap()
    {
        var limiter = Calibrated();
        var fluoro = limiter.Apply(new Technique(80, 300, 8), ExposureKind.Fluoro, 15);
        var high = limiter.Apply(new Technique(80, 300, 8), ExposureKind.HighLevelFluoro, 15);
        var cine = limiter.Apply(new Technique(80, 300, 8), ExposureKind.Cine, 15);
        Assert.InRange(high.Technique.MilliampereSeconds / fluoro.Technique.MilliampereSeconds, 1.9, 2.1);
        Assert.Equal(new Technique(80, 300, 8), cine.Technique);
        Assert.Equal(TechniqueLimits.None, cine.Limits);
    }

    [Fact]
    public void Power_limit_caps_ma_at_high_kv()
    {
        var limited = Calibrated().Apply(new Technique(125, 1000, 10), ExposureKind.Cine, 15);
        Assert.True(limited.Limits.HasFlag(TechniqueLimits.Power));
        Assert.True(limited.Technique.Kv * limited.Technique.Ma <= 100_000 + 1e-6);
    }

    [Fact]
    public void A_hot_tube_cuts_mas()
    {
        var limiter = Calibrated();
        limiter.HeatUnits = 0.89 * TestCapabilities.Default.HeatCapacityUnits;
        var limited = limiter.Apply(new Technique(80, 800, 10), ExposureKind.Cine, 30);
        Assert.True(limited.Limits.HasFlag(TechniqueLimits.Heat));
        double heatPerSecond = limited.Technique.Kv * limited.Technique.MilliampereSeconds * 1.35 * 30;
        Assert.True(heatPerSecond * limiter.HeatHorizon.TotalSeconds <= 0.01 * TestCapabilities.Default.HeatCapacityUnits + 1);
    }

    [Fact]
    public void Out_of_range_and_non_finite_requests_come_back_inside_the_generator_range()
    {
        var limiter = Calibrated();
        foreach (var t in new[] { new Technique(double.NaN, 5, 5), new Technique(300, -4, 99), new Technique(10, double.PositiveInfinity, 0) })
        {
            var limited = limiter.Apply(t, ExposureKind.Fluoro, 15);
            Assert.True(limited.Limits.HasFlag(TechniqueLimits.GeneratorRange));
            Assert.Null(TestCapabilities.Default.Violation(new TechniqueSetting(ExposureKind.Fluoro, limited.Technique, 15)));
        }
    }

    [Fact]
    public void Limited_techniques_are_rounded_down_to_the_wire_steps()
    {
        var limited = Calibrated().Apply(new Technique(83.33, 333.33, 7.777), ExposureKind.Fluoro, 30);
        var t = limited.Technique;
        Assert.Equal(t.Kv, Math.Round(t.Kv / 0.1) * 0.1, 9);
        Assert.Equal(t.Ma, Math.Round(t.Ma / 0.1) * 0.1, 9);
        Assert.Equal(t.PulseWidthMs, Math.Round(t.PulseWidthMs / 0.01) * 0.01, 9);
    }
}
