using CathLab.Testing;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using CathLab.Processing.Calibration;
using CathLab.Processing.Cpu;
using CathLab.Processing.Frames;
using CathLab.Processing.Pipeline;
using CathLab.Processing.Filters;
using CathLab.Processing.Subtraction;
using CathLab.Processing.Tests.Synthetic;

namespace CathLab.Processing.Tests;

/// <summary>The per-pixel pass: its 512-bit and 256-bit loops give bit-identical values (the 512-bit loop runs
/// even where it is not accelerated, in software), by band or row by row, in every stage; and a noise model
/// whose intercept underflows a float still gives a defined motion test.</summary>
public sealed unsafe class PixelPassTests(ITestOutputHelper output)
{
    // 208 = 6 * 32 + 16: every row ends in a 16-pixel tail that the wide pass leaves to the 256-bit loop.
    private static readonly FrameGeometry Geometry = new(208, 64, 14);

    private static CalibrationData Calibration()
    {
        var rng = new Random(11);
        var dark = new float[Geometry.PixelCount];
        var gain = new float[Geometry.PixelCount];
        for (int i = 0; i < dark.Length; i++) { dark[i] = 30 + (float)rng.NextDouble() * 120; gain[i] = 0.8f + (float)rng.NextDouble() * 0.5f; }
        return new CalibrationData(Geometry, dark, gain, new DefectMap(Geometry));
    }

    /// <summary>Noise around a level, blocks that jump between frames (every motion-test outcome from noise to
    /// a strong edge), and saturated and dark pixels.</summary>
    private static ushort[] Frame(int f)
    {
        var rng = new Random(100 + f);
        var raw = new ushort[Geometry.PixelCount];
        for (int y = 0; y < Geometry.Height; y++)
            for (int x = 0; x < Geometry.Width; x++)
            {
                double level = 3000 + 500 * Math.Sin(x * 0.05 + y * 0.03);
                if (((x + 13 * f) / 24 + y / 16) % 3 == 0) level += 150 * f;
                double v = level + rng.NextDouble() * 200 - 100 + (rng.Next(50) == 0 ? rng.Next(-400, 400) : 0);
                raw[y * Geometry.Width + x] = (ushort)Math.Clamp(v, 0, ushort.MaxValue);
            }
        raw[5] = ushort.MaxValue;
        raw[Geometry.Width + 200] = 0;
        return raw;
    }

    private static ChainConstants Constants(PixelStage stage, float alpha) => new()
    {
        Stage = stage,
        MaxValue = Geometry.MaxValue,
        AlphaMin = alpha,
        AlphaRamp = 1 - alpha,
        NoiseSlope = 1f,
        NoiseIntercept = 4f,
        DifferenceVarianceFactor = 2 / (2 - alpha),
        LowThreshold = 3.5f,
        InverseThresholdSpan = 1 / 2.5f,
        SubtractionOffset = 8192,
        SubtractionGain = 3000,
        OverlayGain = 2500,
    };

    /// <summary>One pass's arrays; the state, mask and peak start from the same values for both widths.</summary>
    private sealed class Run
    {
        public readonly ushort[] State = new ushort[Geometry.PixelCount];
        public readonly float[] Mask = new float[Geometry.PixelCount];
        public readonly float[] Peak = new float[Geometry.PixelCount];
        public readonly ushort[] Output = new ushort[Geometry.PixelCount];
        public readonly PixelPass Pass;
        private readonly bool _byRow;

        public Run(FixedPointCalibration calibration, bool wide, bool byRow, bool skipQuiet = true)
        {
            var rng = new Random(5);
            for (int i = 0; i < State.Length; i++)
            {
                State[i] = (ushort)rng.Next(10000, 14000);
                Mask[i] = LogTransform.Table[rng.Next(2500, 3500)];
                Peak[i] = -0.05f * (float)rng.NextDouble();
            }
            Pass = new PixelPass(Geometry.Width, State, Mask, Peak, Output) { Wide = wide, SkipQuiet = skipQuiet };
            Pass.SetCalibration(calibration);
            _byRow = byRow;
        }

        public void Frame(ushort[] raw, in ChainConstants k)
        {
            fixed (ushort* r = raw)
            {
                Pass.Prepare(r, k);
                if (_byRow) for (int y = 0; y < Geometry.Height; y++) Pass.Rows(y, y + 1);
                else Pass.Rows(0, Geometry.Height);
            }
        }
    }

    private static int Differing<T>(T[] a, T[] b) where T : unmanaged
    {
        var x = MemoryMarshal.AsBytes(a.AsSpan());
        var y = MemoryMarshal.AsBytes(b.AsSpan());
        int size = x.Length / a.Length, count = 0;
        for (int i = 0; i < a.Length; i++)
            if (!x.Slice(i * size, size).SequenceEqual(y.Slice(i * size, size))) count++;
        return count;
    }

    /// <summary>The 512-bit recursive loop leaves out the clamp of the new state when every gain lies in [0, 1]
    /// (the result then lies between input and state); gains outside it take the clamp, and both agree with the
    /// 256-bit loop, which always clamps.</summary>
    [Theory]
    [InlineData(0.25f, 0.75f)]
    [InlineData(1.5f, -0.25f)]
    [InlineData(-0.25f, 0.5f)]
    [InlineData(0.5f, 0.75f)]
    public void Recursive_filter_gains_in_and_outside_0_to_1_give_identical_values_at_both_widths(float alphaMin, float alphaRamp)
    {
        var calibration = FixedPointCalibration.From(Calibration());
        var runs = new[] { new Run(calibration, true, false), new Run(calibration, false, false) };
        var k = Constants(PixelStage.CalibrateRecursive, 0.25f) with { AlphaMin = alphaMin, AlphaRamp = alphaRamp };
        int clamped = 0;
        for (int f = 0; f < 4; f++)
        {
            var raw = Frame(f);
            foreach (var run in runs) run.Frame(raw, k);
            Assert.Equal(0, Differing(runs[0].State, runs[1].State) + Differing(runs[0].Output, runs[1].Output));
            clamped += runs[1].State.Count(v => v == calibration.MaxQ || v == 0);
        }
        output.WriteLine($"gains {alphaMin} + {alphaRamp} ramp: {clamped} states at a bound");
    }

    [Theory]
    [InlineData(nameof(PixelStage.Calibrate))]
    [InlineData(nameof(PixelStage.CalibrateRecursive))]
    [InlineData(nameof(PixelStage.Subtract))]
    [InlineData(nameof(PixelStage.RoadmapMask))]
    [InlineData(nameof(PixelStage.RoadmapPeak))]
    [InlineData(nameof(PixelStage.RoadmapOverlay))]
    public void Wide_and_narrow_loops_give_identical_values(string stageName)
    {
        var stage = Enum.Parse<PixelStage>(stageName);
        output.WriteLine($"Vector512 accelerated: {Vector512.IsHardwareAccelerated}");
        var calibration = FixedPointCalibration.From(Calibration());
        // Wide by row (a 16-pixel tail per row), wide over the whole band (one tail), narrow over the whole band.
        var runs = new[] { new Run(calibration, true, true), new Run(calibration, true, false), new Run(calibration, false, false) };
        for (int f = 0; f < 6; f++)
        {
            var raw = Frame(f);
            var k = Constants(stage, f == 0 ? 1f : 0.25f);
            foreach (var run in runs) run.Frame(raw, k);
            var narrow = runs[^1];
            foreach (var wide in runs[..^1])
            {
                int outputs = Differing(wide.Output, narrow.Output), states = Differing(wide.State, narrow.State);
                int masks = Differing(wide.Mask, narrow.Mask), peaks = Differing(wide.Peak, narrow.Peak);
                output.WriteLine($"{stage}, frame {f}: {outputs} outputs, {states} states, {masks} masks, {peaks} peaks differ");
                Assert.Equal(0, outputs + states + masks + peaks);
            }
        }
        Assert.Contains(runs[^1].Output, v => v != runs[^1].Output[0]);
    }

    [Fact]
    public void Skipping_surely_quiet_vectors_changes_no_value()
    {
        var calibration = FixedPointCalibration.From(Calibration());
        foreach (bool wide in new[] { true, false })
        {
            var skipping = new Run(calibration, wide, false);
            var computing = new Run(calibration, wide, false, skipQuiet: false);
            for (int f = 0; f < 6; f++)
            {
                var raw = Frame(f);
                var k = Constants(PixelStage.CalibrateRecursive, f == 0 ? 1f : 0.25f);
                skipping.Frame(raw, k);
                computing.Frame(raw, k);
                Assert.Equal(computing.State, skipping.State);
                Assert.Equal(computing.Output, skipping.Output);
            }
        }
    }

    /// <summary>The margin in <see cref="PixelPass.QuietBound"/>: wherever the test calls a pixel quiet, the
    /// ratio the full motion test rounds to is at most the low threshold, also for d^2 a hair under the bound.</summary>
    [Theory]
    [InlineData(0.5f)]
    [InlineData(3.5f)]
    [InlineData(19.99f)]
    public void A_pixel_the_quiet_test_passes_has_a_ratio_at_most_the_low_threshold(float low)
    {
        float bound = PixelPass.QuietBound(low);
        var rng = new Random(7);
        int quiet = 0;
        for (int i = 0; i < 2_000_000; i++)
        {
            float variance = (float)Math.Exp(rng.NextDouble() * 40 - 5);
            // d within a thousandth below the exact threshold, where the roundings decide.
            float d = (float)(Math.Sqrt(variance) * low * (1 - rng.NextDouble() * 1e-3));
            float d2 = d * d;
            if (!(d2 < bound * variance)) continue;
            quiet++;
            float ratio = MathF.Sqrt(d2 / variance);
            Assert.True(ratio <= low, $"d {d}, variance {variance}: ratio {ratio} above {low}");
        }
        Assert.True(quiet > 100_000, $"{quiet} quiet samples");
        Assert.Equal(0f, PixelPass.QuietBound(0f));
    }

    [Fact]
    public void A_noise_intercept_too_small_for_a_float_still_gives_a_positive_variance()
    {
        var k = Constants(PixelStage.CalibrateRecursive, 0.25f) with { NoiseSlope = 0, NoiseIntercept = float.Epsilon };
        var (slope, intercept) = k.DifferenceVarianceQ(2);
        Assert.Equal(0f, slope);
        Assert.True(float.IsNormal(intercept) && intercept > 0, $"intercept {intercept}");
        Assert.Equal(BitConverter.Int32BitsToSingle(0x00800000), intercept);

        var calibration = FixedPointCalibration.From(Calibration());
        var run = new Run(calibration, Vector512.IsHardwareAccelerated, false);
        run.Frame(Frame(1), k);
        // Without noise every change is motion: the state follows the frame (a = 1 wherever d != 0).
        var calibrated = new Run(calibration, false, false);
        calibrated.Frame(Frame(1), k with { Stage = PixelStage.Calibrate });
        Assert.Equal(calibrated.Output, run.Output);
    }

    [OpenClFact]
    public void Both_backends_follow_every_change_when_the_noise_model_underflows_a_float()
    {
        var calibration = Chains.Identity(256, 256);
        var p = Chains.Raw16(PipelineMode.Fluoro) with { Noise = new NoiseModel(0, 1e-50) };
        using var cpu = Chains.Create(calibration, p, BackendChoice.Cpu);
        using var gpu = Chains.Create(calibration, p, BackendChoice.OpenCl);
        cpu.BeginRun();
        gpu.BeginRun();
        var rng = new Random(3);
        for (int f = 0; f < 3; f++)
        {
            var raw = new ushort[256 * 256];
            for (int i = 0; i < raw.Length; i++) raw[i] = (ushort)(3000 + rng.Next(-400, 400));
            var a = Chains.Process16(cpu, raw);
            Assert.Equal(a, Chains.Process16(gpu, raw));
            Assert.Equal(raw, a);
        }
    }
}
