using CathLab.Processing.Pipeline;
using CathLab.Processing.Registration;
using CathLab.Processing.Subtraction;
using CathLab.Processing.Tests.Synthetic;

namespace CathLab.Processing.Tests;

/// <summary>Image quality on synthetic frames with known ground truth (see <see cref="PhantomScene"/>),
/// 512x512, 14 bits stored, 1 LSB per quantum, on the CPU path (the OpenCL path is shown equal to it
/// in <see cref="BackendAgreementTests"/>).</summary>
public sealed class ImageQualityTests(ITestOutputHelper output)
{
    private const int Side = 512;
    private const int Margin = 12;

    private static ushort[][] Frames(PhantomScene scene, double[] expected, int count, int seed) =>
        Enumerable.Range(0, count).Select(i => scene.Noisy(expected, seed + i)).ToArray();

    // RMS over the interior of the residual in log units divided by the single-frame quantum noise
    // 1/sqrt(N) of each pixel; and the largest mean of that ratio over a 32x32 block (leftover anatomy).
    private static (double Rms, double WorstBlock) NormalisedResidual(ushort[] subtracted, double[] expected, double offset, double gain)
    {
        double sum2 = 0;
        int n = 0;
        var ratio = new double[subtracted.Length];
        for (int y = Margin; y < Side - Margin; y++)
            for (int x = Margin; x < Side - Margin; x++)
            {
                int i = y * Side + x;
                double residual = (subtracted[i] - offset) / gain;
                ratio[i] = residual * Math.Sqrt(expected[i]);
                sum2 += ratio[i] * ratio[i];
                n++;
            }
        double worst = 0;
        for (int by = 32; by < Side - 32; by += 32)
            for (int bx = 32; bx < Side - 32; bx += 32)
            {
                double s = 0;
                for (int y = by; y < by + 32; y++)
                    for (int x = bx; x < bx + 32; x++) s += ratio[y * Side + x];
                worst = Math.Max(worst, Math.Abs(s / 1024));
            }
        return (Math.Sqrt(sum2 / n), worst);
    }

    [Fact]
    public void Subtraction_leaves_static_anatomy_below_twice_the_quantum_noise()
    {
        var scene = new PhantomScene(Side, Side);
        var expected = scene.Expected();
        var frames = Frames(scene, expected, 6, seed: 100);
        var p = Chains.Raw16(PipelineMode.Dsa) with { Subtraction = new SubtractionSettings { MaskFirst = 0, MaskLast = 3, Gain = 2000, Offset = 8192 } };
        using var pipeline = Chains.Create(Chains.Identity(Side, Side), p, BackendChoice.Cpu);
        pipeline.BeginRun();
        ushort[] last = [];
        foreach (var f in frames) last = Chains.Process16(pipeline, f);
        Assert.True(pipeline.MaskReady);

        var (rms, worst) = NormalisedResidual(last, expected, 8192, 2000);
        output.WriteLine($"static anatomy after subtraction: residual RMS = {rms:F3} x quantum noise (theory sqrt(1 + 1/4) = 1.118), worst 32x32 block mean = {worst:F3}");
        Assert.True(rms < 2, $"residual {rms:F3} x quantum noise");
        Assert.True(worst < 0.25, $"structured residual: a block mean of {worst:F3} x quantum noise");
    }

    [Fact]
    public void Subtraction_of_a_contrast_frame_shows_only_the_vessel()
    {
        var scene = new PhantomScene(Side, Side);
        var background = scene.Expected();
        var contrast = scene.Expected(contrast: 0.3);
        var frames = Frames(scene, background, 4, 200).Append(scene.Noisy(contrast, 300)).ToArray();
        var p = Chains.Raw16(PipelineMode.Dsa) with { Subtraction = new SubtractionSettings { MaskFirst = 0, MaskLast = 3, Gain = 2000, Offset = 8192 } };
        using var pipeline = Chains.Create(Chains.Identity(Side, Side), p, BackendChoice.Cpu);
        pipeline.BeginRun();
        ushort[] last = [];
        foreach (var f in frames) last = Chains.Process16(pipeline, f);
        // On the vessel's centre line the subtracted log is -0.3 (contrast darkens), averaged along the vessel.
        double sum = 0;
        int n = 0;
        for (int y = 50; y < Side - 50; y++)
        {
            int x = (int)Math.Round(scene.VesselCentre(y, 0));
            double d = x - scene.VesselCentre(y, 0);
            double truth = -0.3 * Math.Exp(-d * d / (2 * 2.5 * 2.5));
            sum += (last[y * Side + x] - 8192) / 2000.0 - truth;
            n++;
        }
        output.WriteLine($"mean error on the vessel centre line: {sum / n:F4} log units");
        Assert.InRange(sum / n, -0.01, 0.01);
    }

    [Theory]
    [InlineData(3.37, -1.62)]
    [InlineData(-5.0, 2.5)]
    [InlineData(0.23, 0.71)]
    public void Automatic_pixel_shift_recovers_an_injected_shift_within_a_tenth_of_a_pixel(double dx, double dy)
    {
        var scene = new PhantomScene(Side, Side, seed: 77);
        var mask = scene.Expected();
        var moved = scene.Expected(dx, dy);
        var run = new ArrayRun(Frames(scene, mask, 4, 400).Append(scene.Noisy(moved, 500)).ToArray());
        var p = Chains.Raw16(PipelineMode.Dsa) with { Subtraction = new SubtractionSettings { MaskFirst = 0, MaskLast = 3, Gain = 2000, Offset = 8192 } };
        using var pipeline = Chains.Create(Chains.Identity(Side, Side), p, BackendChoice.Cpu);
        pipeline.Remask(run, 0, 3);
        var estimate = pipeline.EstimateShift(run.Frame(4), RegionOfInterest.Centre(pipeline.Geometry, 256));
        output.WriteLine($"injected ({dx}, {dy}), estimated {estimate}");
        Assert.InRange(estimate.Dx - dx, -0.1, 0.1);
        Assert.InRange(estimate.Dy - dy, -0.1, 0.1);

        // Applying the estimate leaves the shifted static anatomy below twice the quantum noise.
        pipeline.Update(p with { Subtraction = p.Subtraction with { Shift = estimate } });
        var subtracted = Chains.Process16(pipeline, run.Frame(4));
        var (rms, worst) = NormalisedResidual(subtracted, moved, 8192, 2000);
        output.WriteLine($"after shift correction: residual RMS {rms:F3} x quantum noise, worst block {worst:F3}");
        Assert.True(rms < 2, $"residual {rms:F3} x quantum noise");
    }

    [Fact]
    public void Recursive_filter_improves_static_snr_by_the_predicted_factor()
    {
        var scene = new PhantomScene(Side, Side, seed: 5);
        var expected = scene.Expected();
        var p = Chains.Raw16(PipelineMode.Fluoro);
        using var pipeline = Chains.Create(Chains.Identity(Side, Side), p, BackendChoice.Cpu);
        pipeline.BeginRun();
        double rawVar = 0, filteredVar = 0;
        int measured = 0;
        for (int f = 0; f < 60; f++)
        {
            var raw = scene.Noisy(expected, 1000 + f);
            var filtered = Chains.Process16(pipeline, raw);
            if (f < 40 || f % 5 != 0) continue; // steady state; every 5th frame so samples are nearly independent
            for (int i = 0; i < raw.Length; i++)
            {
                rawVar += (raw[i] - expected[i]) * (raw[i] - expected[i]);
                filteredVar += (filtered[i] - expected[i]) * (filtered[i] - expected[i]);
            }
            measured += raw.Length;
        }
        double gain = Math.Sqrt(rawVar / filteredVar);
        double predicted = p.Recursive.PredictedSnrGain;
        // Standard error of a variance ratio from `measured` (near-)independent samples, each variance ~ sqrt(2/n).
        double standardError = predicted * Math.Sqrt(2.0 / measured);
        output.WriteLine($"SNR gain {gain:F4}, predicted sqrt((2-a)/a) = {predicted:F4} for a = {p.Recursive.Alpha}; 3 standard errors = {3 * standardError:F4}");
        Assert.True(gain >= predicted - 3 * standardError, $"SNR gain {gain:F4} below the predicted {predicted:F4}");
    }

    [Fact]
    public void Recursive_filter_follows_a_moving_vessel_within_the_documented_lag()
    {
        var scene = new PhantomScene(Side, Side, seed: 9);
        var p = Chains.Raw16(PipelineMode.Fluoro);
        using var pipeline = Chains.Create(Chains.Identity(Side, Side), p, BackendChoice.Cpu);
        pipeline.BeginRun();
        const double speed = 4, contrast = 0.5;
        ushort[] filtered = [];
        double[] current = [], background = scene.Expected();
        for (int f = 0; f < 25; f++)
        {
            current = scene.Expected(contrast: contrast, vesselOffset: speed * f);
            filtered = Chains.Process16(pipeline, scene.Noisy(current, 2000 + f));
        }
        // Pixels the vessel's core (|d| < 1 px) reached this frame, having been clear of it (|d| > 3 px) the
        // frame before, and the reverse. Fractions are of the step background - vessel at the core.
        double arrived = 0, left = 0;
        int na = 0, nl = 0;
        int lastFrame = 24;
        for (int y = Margin; y < Side - Margin; y++)
            for (int x = Margin; x < Side - Margin; x++)
            {
                int i = y * Side + x;
                double dNow = Math.Abs(x - scene.VesselCentre(y, speed * lastFrame));
                double dBefore = Math.Abs(x - scene.VesselCentre(y, speed * (lastFrame - 1)));
                double step = background[i] * (1 - Math.Exp(-contrast));
                // covered: how much of the way from background to the current truth the output has gone
                if (dNow < 1 && dBefore > 3) { arrived += (background[i] - filtered[i]) / (background[i] - current[i]); na++; }
                // remaining: the output's excess darkness over the current truth where the vessel was
                if (dBefore < 1 && dNow > 3) { left += (current[i] - filtered[i]) / step; nl++; }
            }
        arrived /= na;
        left /= nl;
        output.WriteLine($"vessel moving {speed} px/frame: in its first frame at a pixel the output covers {arrived:P1} of the step; one frame after it left, {left:P1} remains ({na} / {nl} pixels)");
        Assert.Equal(0, Filters.RecursiveFilterSettings.LagFramesForStrongEdges);
        Assert.True(arrived >= 0.9, $"vessel lags: only {arrived:P1} of the step shown in the frame it arrived");
        Assert.True(Math.Abs(left) <= 0.1, $"vessel smears: {left:P1} of the step remains one frame after it left");
    }
}
