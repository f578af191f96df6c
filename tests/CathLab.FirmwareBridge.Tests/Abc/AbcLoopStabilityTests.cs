using CathLab.FirmwareBridge.Abc;
using CathLab.FirmwareBridge.Tests.Support;
using CathLab.Wire.Generator;

namespace CathLab.FirmwareBridge.Tests.Abc;

/// <summary>Convergence, overshoot, oscillation and limits of the ABC loop against the deterministic plant.</summary>
public sealed class AbcLoopStabilityTests
{
    private const double Target = 1500;

    private static AutoDoseController Controller(DoseCurveKind curve = DoseCurveKind.Normal, ExposureKind kind = ExposureKind.Fluoro, double rate = 15)
    {
        var limiter = new DoseRateLimiter(TestCapabilities.Default, new TubeOutputCalibration());
        return new AutoDoseController(limiter, kind, rate, new AbcOptions { Curve = curve, TargetBrightness = Target });
    }

    public static TheoryData<DoseCurveKind, int, double, double> Steps()
    {
        var data = new TheoryData<DoseCurveKind, int, double, double>();
        foreach (var curve in Enum.GetValues<DoseCurveKind>())
        {
            foreach (int delay in new[] { 1, 2 })
            {
                foreach (var (from, to) in new[] { (10.0, 15.0), (15.0, 20.0), (20.0, 25.0), (25.0, 20.0), (20.0, 15.0), (15.0, 10.0) })
                {
                    data.Add(curve, delay, from, to);
                }
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Steps))]
    public void Settles_within_ten_frames_of_a_5cm_step_without_overshoot(DoseCurveKind curve, int delay, double from, double to)
    {
        const int stepAt = 200;
        var plant = new AbcPlant { Delay = delay };
        var steps = plant.Run(Controller(curve), 600, k => k < stepAt ? from : to);

        // Before the step the loop has settled.
        Assert.All(steps.Skip(stepAt - 20).Take(20), s => Assert.InRange(s.Brightness / Target, 0.95, 1.05));
        // The plant shows the step at once; the loop must be back within ±5 % ten frames later, and stay there.
        var after = steps.Skip(stepAt + 10).ToList();
        Assert.All(after, s => Assert.InRange(s.Brightness / Target, 0.95, 1.05));
        // Overshoot: once the first correction shows, brightness may pass the target on the far side by at most 10 %.
        bool darker = to > from;
        foreach (var s in steps.Skip(stepAt + delay))
        {
            double ratio = s.Brightness / Target;
            if (darker) Assert.True(ratio <= 1.10, $"frame {s.Frame}: overshoot to {ratio:P1}");
            else Assert.True(ratio >= 0.90, $"frame {s.Frame}: undershoot to {ratio:P1}");
        }
        // Until the calibration has a few pulse reports the conservative default output model may cut the start.
        Assert.All(steps.Skip(20), s => Assert.False(s.Decision.Limited, $"frame {s.Frame} limited"));
    }

    [Theory]
    [InlineData(DoseCurveKind.Normal, 1)]
    [InlineData(DoseCurveKind.Normal, 2)]
    [InlineData(DoseCurveKind.LowDose, 2)]
    [InlineData(DoseCurveKind.HighContrast, 2)]
    public void Never_oscillates_over_thousands_of_frames(DoseCurveKind curve, int delay)
    {
        var plant = new AbcPlant { Delay = delay };
        // Thickness wanders slowly between 12 and 24 cm, as a table panned along a patient.
        var steps = plant.Run(Controller(curve), 5000, k => 18 + 6 * Math.Sin(k / 400.0));
        var settled = steps.Skip(30).ToList();
        Assert.All(settled, s => Assert.InRange(s.Brightness / Target, 0.95, 1.05));
        // No oscillation: the output (log mAs·kV^n) never reverses direction by more than quantisation noise
        // more often than the thickness trend does.
        int reversals = 0;
        double lastDelta = 0;
        for (int i = 1; i < settled.Count; i++)
        {
            double delta = DoseCurve.Output(settled[i].Technique) - DoseCurve.Output(settled[i - 1].Technique);
            if (Math.Abs(delta) < 0.01) continue;
            if (lastDelta != 0 && Math.Sign(delta) != Math.Sign(lastDelta)) reversals++;
            lastDelta = delta;
        }
        Assert.True(reversals <= 12, $"{reversals} reversals of the technique in 5000 frames");
    }

    [Fact]
    public void Favours_70_to_90_kV_for_vascular_work_on_the_normal_curve()
    {
        var plant = new AbcPlant();
        foreach (double thickness in new[] { 15.0, 20.0, 25.0 })
        {
            var steps = plant.Run(Controller(DoseCurveKind.Normal), 100, _ => thickness);
            Assert.InRange(steps[^1].Technique.Kv, 70, 90);
        }
    }

    [Theory]
    [InlineData(ExposureKind.Fluoro, 88.0)]
    [InlineData(ExposureKind.HighLevelFluoro, 176.0)]
    public void Lead_in_the_field_drives_to_the_limit_and_holds_there_flagged(ExposureKind kind, double limit)
    {
        var controller = Controller(kind: kind);
        var alerts = new List<BridgeAlert>();
        controller.Alert += alerts.Add;
        var plant = new AbcPlant();
        var steps = plant.Run(controller, 400, _ => 20, k => k >= 100);

        Assert.All(steps, s => Assert.True(s.TrueRateMilliGrayPerMin <= limit, $"frame {s.Frame}: {s.TrueRateMilliGrayPerMin:0.0} mGy/min"));
        var held = steps.Skip(130).ToList();
        Assert.All(held, s => Assert.True(s.Decision.Limited));
        Assert.All(held, s => Assert.InRange(s.TrueRateMilliGrayPerMin, 0.85 * limit, limit));
        // Holds: the technique no longer moves.
        double spread = held.Max(s => DoseCurve.Output(s.Technique)) - held.Min(s => DoseCurve.Output(s.Technique));
        Assert.True(spread < 0.02, $"technique wanders by {spread:0.000} in log-output while held at the limit");
        Assert.Contains(alerts, a => a.Kind == BridgeAlertKind.DoseRateLimited && a.Text.Contains("noisier"));
        // And when the lead is gone it comes back under control.
        var back = plant.Run(controller, 60, _ => 20, _ => false, held[^1].Decision.Applied.Technique);
        Assert.All(back.Skip(12), s => Assert.InRange(s.Brightness / Target, 0.95, 1.05));
        Assert.Contains(alerts, a => a.Text.Contains("no longer limited"));
    }

    [Fact]
    public void Cine_aims_at_a_per_frame_detector_dose_without_a_rate_cap()
    {
        double target = AbcOptions.TargetFromDetectorDose(0.375, 16000);
        var limiter = new DoseRateLimiter(TestCapabilities.Default, new TubeOutputCalibration());
        var controller = new AutoDoseController(limiter, ExposureKind.Cine, 30, new AbcOptions { TargetBrightness = target });
        var steps = new AbcPlant().Run(controller, 80, _ => 25);
        Assert.InRange(steps[^1].Brightness / target, 0.95, 1.05);
        Assert.True(steps[^1].TrueRateMilliGrayPerMin > 88, "cine runs above the fluoro cap when it needs to");
        Assert.All(steps, s => Assert.True(s.Technique.Kv * s.Technique.Ma <= 100_000 + 1e-6));
    }
}
