using CathLab.FirmwareBridge.Abc;
using CathLab.Wire.Generator;
using ScottPlot;

namespace CathLab.Bench.Bridge;

/// <summary>Plots the ABC loop's response to a 5 cm thickness step and to lead in the field, against the plant model
/// the unit tests use (brightness = k·mAs·kV²·exp(−μ(kV)·t), μ = 0.2·(70/kV)^0.8 per cm, the simulator's tube output,
/// a two-frame command→image delay).</summary>
public static class AbcResponsePlots
{
    private const double Target = 1500;
    private const double PulseRate = 15;

    private static readonly GeneratorCapabilities Caps = new(
        new FactorRange(40, 125), new FactorRange(1, 1000), new FactorRange(4, 10), 20, new FactorRange(0.5, 60),
        new HashSet<ExposureKind> { ExposureKind.Fluoro, ExposureKind.Cine, ExposureKind.HighLevelFluoro }, 250, 1_500_000, 100);

    private static double TrueOutput(double kv) => 0.0078e-3 * kv * kv / 0.36;

    private static double Brightness(in Technique t, double thickness, bool lead)
    {
        double transmission = Math.Exp(-0.2 * Math.Pow(70 / t.Kv, 0.8) * thickness);
        if (lead) transmission *= Math.Exp(-60 * Math.Pow(70 / t.Kv, 2.5) * 0.1);
        return 139 * t.MilliampereSeconds * t.Kv * t.Kv * transmission;
    }

    public sealed record Trace(double[] Frame, double[] Brightness, double[] Kv, double[] Mas, double[] RateMilliGrayPerMin, bool[] Limited);

    public static Trace Run(int frames, Func<int, double> thickness, Func<int, bool> lead, int delay = 2)
    {
        var controller = new AutoDoseController(new DoseRateLimiter(Caps, new TubeOutputCalibration()), ExposureKind.Fluoro, PulseRate,
            new AbcOptions { TargetBrightness = Target });
        var techniques = new Technique[frames + delay + 1];
        var start = controller.Initial().Technique;
        for (int i = 0; i <= delay; i++) techniques[i] = start;
        var trace = new Trace(new double[frames], new double[frames], new double[frames], new double[frames], new double[frames], new bool[frames]);
        for (int k = 0; k < frames; k++)
        {
            var t = techniques[k];
            controller.Limiter.Calibration.Observe(t, TrueOutput(t.Kv) * t.MilliampereSeconds);
            double b = Brightness(t, thickness(k), lead(k));
            var d = controller.Next(b, t);
            techniques[k + delay] = d.Applied.Technique;
            for (int j = k + 1; j < k + delay; j++) if (techniques[j] == default) techniques[j] = t;
            trace.Frame[k] = k;
            trace.Brightness[k] = b / Target;
            trace.Kv[k] = t.Kv;
            trace.Mas[k] = t.MilliampereSeconds;
            trace.RateMilliGrayPerMin[k] = TrueOutput(t.Kv) * t.MilliampereSeconds * PulseRate * 60;
            trace.Limited[k] = d.Limited;
        }
        return trace;
    }

    public static IEnumerable<string> WriteAll(string folder)
    {
        Directory.CreateDirectory(folder);
        const int step = 40;
        var thicker = Run(100, k => k < step ? 20 : 25, _ => false);
        var thinner = Run(100, k => k < step ? 25 : 20, _ => false);
        string stepFile = Path.Combine(folder, "abc-thickness-step.png");
        var plot = new Plot();
        plot.Add.Scatter(thicker.Frame, thicker.Brightness).LegendText = "20 → 25 cm at frame 40";
        plot.Add.Scatter(thinner.Frame, thinner.Brightness).LegendText = "25 → 20 cm at frame 40";
        Band(plot, 0.95, 1.05, 100);
        plot.Title("ABC response to a 5 cm step in patient thickness (normal curve, 15 p/s, 2-frame delay)");
        plot.XLabel("frame");
        plot.YLabel("brightness / target");
        plot.Axes.SetLimitsY(0, 3);
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(stepFile, 1000, 550);
        yield return stepFile;

        var lead = Run(160, _ => 20, k => k is >= step and < 120);
        string leadFile = Path.Combine(folder, "abc-lead.png");
        var leadPlot = new Plot();
        var rate = leadPlot.Add.Scatter(lead.Frame, lead.RateMilliGrayPerMin);
        rate.LegendText = "air kerma rate at the reference point (mGy/min)";
        var limit = leadPlot.Add.HorizontalLine(88);
        limit.LegendText = "88 mGy/min limit";
        limit.LinePattern = LinePattern.Dashed;
        var brightness = leadPlot.Add.Scatter(lead.Frame, lead.Brightness.Select(b => b * 100).ToArray());
        brightness.LegendText = "brightness, % of target";
        var flagged = lead.Frame.Where((_, i) => lead.Limited[i]).ToArray();
        var marks = leadPlot.Add.ScatterPoints(flagged, flagged.Select(_ => 2.0).ToArray());
        marks.LegendText = "frames flagged as limited";
        leadPlot.Title("ABC with 1 mm lead over the field from frame 40 to 119 (20 cm patient, 15 p/s)");
        leadPlot.XLabel("frame");
        leadPlot.YLabel("mGy/min, or % of target brightness");
        leadPlot.Axes.SetLimitsY(0, 130);
        leadPlot.ShowLegend(Alignment.UpperRight);
        leadPlot.SavePng(leadFile, 1000, 550);
        yield return leadFile;
    }

    private static void Band(Plot plot, double low, double high, double frames)
    {
        foreach (double y in new[] { low, high })
        {
            var line = plot.Add.HorizontalLine(y);
            line.LinePattern = LinePattern.Dotted;
        }
        _ = frames;
    }
}
