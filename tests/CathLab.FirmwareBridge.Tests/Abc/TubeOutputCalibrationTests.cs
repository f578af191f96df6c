using CathLab.FirmwareBridge.Abc;
using CathLab.FirmwareBridge.Tests.Support;
using CathLab.Wire.Generator;

namespace CathLab.FirmwareBridge.Tests.Abc;

public sealed class TubeOutputCalibrationTests
{
    [Fact]
    public void Starts_from_the_conservative_default()
    {
        var c = new TubeOutputCalibration();
        Assert.Equal(0, c.Reports);
        Assert.Equal(0.40, c.UpperBoundMilliGrayPerMas(80), 9);
        Assert.True(c.UpperBoundMilliGrayPerMas(80) > 2 * AbcPlant.TrueOutputMilliGrayPerMas(80));
    }

    [Fact]
    public void Fits_output_per_mas_against_kv_from_pulse_reports()
    {
        var c = new TubeOutputCalibration();
        for (double kv = 60; kv <= 100; kv += 2)
        {
            var t = new Technique(kv, 20, 6);
            c.Observe(new PulseEvent(1, 0, ExposureKind.Fluoro, t, (uint)(AbcPlant.TrueOutputMilliGrayPerMas(kv) * t.MilliampereSeconds * 1e6)));
        }
        var (a, p) = c.Model;
        Assert.InRange(p, 1.95, 2.05);
        Assert.InRange(c.UpperBoundMilliGrayPerMas(80) / AbcPlant.TrueOutputMilliGrayPerMas(80), 1.0, 1.06);
        Assert.True(a > 0);
    }

    [Fact]
    public void Far_from_any_report_it_never_drops_below_the_default()
    {
        var c = new TubeOutputCalibration();
        for (int i = 0; i < 20; i++)
        {
            var t = new Technique(70, 20, 6);
            c.Observe(t, AbcPlant.TrueOutputMilliGrayPerMas(70) * t.MilliampereSeconds);
        }
        Assert.True(c.UpperBoundMilliGrayPerMas(72) < 0.2);
        Assert.Equal(TubeOutputCalibration.DefaultModel.A * 110 * 110, c.UpperBoundMilliGrayPerMas(110), 9);
    }

    [Fact]
    public void Nonsense_reports_are_ignored()
    {
        var c = new TubeOutputCalibration();
        c.Observe(new Technique(0, 20, 6), 1);
        c.Observe(new Technique(80, 0, 6), 1);
        c.Observe(new Technique(80, 20, 6), 0);
        c.Observe(new Technique(80, 20, 6), double.NaN);
        Assert.Equal(0, c.Reports);
    }
}
