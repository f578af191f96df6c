using CathLab.FirmwareBridge.Abc;
using CathLab.FirmwareBridge.Tests.Support;
using CathLab.Wire.Generator;

namespace CathLab.FirmwareBridge.Tests.Abc;

public sealed class DoseCurveTests
{
    [Theory]
    [InlineData(DoseCurveKind.LowDose, ExposureKind.Fluoro)]
    [InlineData(DoseCurveKind.Normal, ExposureKind.Fluoro)]
    [InlineData(DoseCurveKind.HighContrast, ExposureKind.Cine)]
    [InlineData(DoseCurveKind.Normal, ExposureKind.Cine)]
    public void Curves_are_monotonic_and_inside_the_generator(DoseCurveKind kind, ExposureKind exposure)
    {
        var curve = DoseCurve.Create(kind, TestCapabilities.Default, exposure);
        double last = double.NegativeInfinity;
        for (double f = 0; f <= 1.0001; f += 0.01)
        {
            double output = curve.MinOutput + f * (curve.MaxOutput - curve.MinOutput);
            var t = curve.At(output);
            Assert.Equal(output, DoseCurve.Output(t), 6);
            Assert.True(DoseCurve.Output(t) >= last - 1e-9);
            last = DoseCurve.Output(t);
            Assert.InRange(t.Kv, 40, 125);
            Assert.InRange(t.Ma, 1, 1000);
            Assert.InRange(t.PulseWidthMs, 4, exposure == ExposureKind.Cine ? 20 : 10);
            Assert.True(t.Kv * t.Ma <= 100_000 * 1.0001, $"{t} over the tube's power");
        }
        Assert.Equal(curve.Anchors[0], curve.At(double.NaN));
        Assert.Equal(curve.Anchors[^1], curve.At(1e9));
    }

    [Fact]
    public void Curves_differ_in_where_they_spend_kv()
    {
        var caps = TestCapabilities.Default;
        var low = DoseCurve.Create(DoseCurveKind.LowDose, caps, ExposureKind.Fluoro);
        var normal = DoseCurve.Create(DoseCurveKind.Normal, caps, ExposureKind.Fluoro);
        var contrast = DoseCurve.Create(DoseCurveKind.HighContrast, caps, ExposureKind.Fluoro);
        double output = normal.MinOutput + 0.3 * (normal.MaxOutput - normal.MinOutput);
        Assert.True(low.At(output).Kv > normal.At(output).Kv);
        Assert.True(normal.At(output).Kv > contrast.At(output).Kv);
        Assert.Equal(70, normal.At(output).Kv, 6);
    }
}
