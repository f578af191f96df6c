using CathLab.Processing.Calibration;
using CathLab.Processing.Display;
using CathLab.Processing.Filters;
using CathLab.Processing.Frames;
using CathLab.Processing.Pipeline;
using CathLab.Processing.Tests.Synthetic;

namespace CathLab.Processing.Tests;

/// <summary>The CPU path's single fused pass: splitting a frame into bands (1 to 5 threads), with the rows
/// near band boundaries left to the caller, gives exactly the same output as one band; and the fixed-point
/// calibration stays within its documented error of the float definition.</summary>
public sealed class FusedPassTests(ITestOutputHelper output)
{
    // Defects right at and around the band boundaries of 2, 3, 4 and 5 bands of a 256-row frame, and a block of
    // three defective rows whose middle row reaches two rows up and down for its neighbours.
    private static CalibrationData Calibration(FrameGeometry g)
    {
        var rng = new Random(7);
        var dark = new float[g.PixelCount];
        var gain = new float[g.PixelCount];
        for (int i = 0; i < dark.Length; i++) { dark[i] = 40 + (float)rng.NextDouble() * 80; gain[i] = 0.85f + (float)rng.NextDouble() * 0.3f; }
        var defects = new DefectMap(g);
        foreach (int boundary in new[] { 128, 84, 168, 64, 192, 48, 100, 152, 204 })
            for (int dy = -3; dy <= 2; dy++) defects.AddPixel(rng.Next(g.Width), boundary + dy);
        defects.AddRow(126);
        defects.AddRow(127);
        defects.AddRow(128);
        defects.AddColumn(17);
        defects.AddPixel(0, g.Height - 1);
        return new CalibrationData(g, dark, gain, defects);
    }

    public static TheoryData<PipelineMode, bool, int> Cases() => new()
    {
        { PipelineMode.Fluoro, false, 2 },
        { PipelineMode.Fluoro, true, 4 },
        { PipelineMode.Cine, true, 1 },
        { PipelineMode.Dsa, false, 2 },
        { PipelineMode.Roadmap, true, 4 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Any_number_of_bands_gives_the_output_of_one(PipelineMode mode, bool smooth, int downscale)
    {
        var g = new FrameGeometry(256, 256, 14);
        var calibration = Calibration(g);
        var scene = new PhantomScene(256, 256, seed: 5, darkLevel: 80);
        var frames = Enumerable.Range(0, 6).Select(f => scene.Noisy(scene.Expected(shiftX: 0.7 * f, contrast: f >= 3 ? 0.5 : 0), 900 + f)).ToArray();
        var p = new ProcessingParameters
        {
            Mode = mode,
            Smoothing = new NoiseAwareSmoothingSettings { Enabled = smooth },
            Unsharp = new UnsharpMaskSettings { KernelSize = 11, Gain = 1.5 },
            Display = new DisplaySettings { WindowCenter = 3000, WindowWidth = 6000, DownscaleFactor = downscale },
            Subtraction = new SubtractionSettings { MaskFirst = 0, MaskLast = 1 },
        };
        byte[][] Run(int threads)
        {
            using var pipeline = new FramePipeline(calibration, p, new PipelineOptions { Backend = BackendChoice.Cpu, CpuThreads = threads });
            pipeline.BeginRun();
            return frames.Select((frame, f) =>
            {
                if (mode == PipelineMode.Roadmap && f == 3) pipeline.Update(p with { Roadmap = new RoadmapSettings { Phase = RoadmapPhase.Opacify } });
                return Chains.Process(pipeline, frame);
            }).ToArray();
        }
        var reference = Run(1);
        foreach (int threads in new[] { 2, 3, 5 })
        {
            var banded = Run(threads);
            for (int f = 0; f < frames.Length; f++)
            {
                int differing = reference[f].Zip(banded[f]).Count(pair => pair.First != pair.Second);
                output.WriteLine($"{mode}, {threads} bands, frame {f}: {differing} bytes differ from one band");
                Assert.Equal(0, differing);
            }
        }
    }

    [Fact]
    public void Fixed_point_calibration_is_within_half_an_lsb_of_the_float_definition()
    {
        var g = new FrameGeometry(128, 128, 14);
        var rng = new Random(11);
        var dark = new float[g.PixelCount];
        var gain = new float[g.PixelCount];
        for (int i = 0; i < dark.Length; i++) { dark[i] = (float)(rng.NextDouble() * 300); gain[i] = 0.5f + (float)rng.NextDouble() * 1.5f; }
        var calibration = new CalibrationData(g, dark, gain, new DefectMap(g));
        var q = calibration.FixedPoint;
        Assert.Equal(2, q.FractionBits);
        Assert.Equal(15, q.GainShift);
        double worst = 0;
        for (int i = 0; i < g.PixelCount; i++)
            foreach (ushort raw in new ushort[] { 0, (ushort)rng.Next(16384), 16383, 65535 })
            {
                double exact = Math.Clamp((Math.Min(raw, (ushort)16383) - (double)dark[i]) * gain[i], 0, 16383);
                double fixedValue = q.Corrected(raw, i) / 4.0;
                worst = Math.Max(worst, Math.Abs(fixedValue - exact));
            }
        output.WriteLine($"largest |fixed point - float| = {worst:F3} LSB before rounding to whole LSB");
        // Dark to 1/8 LSB (times a gain up to 2), gain to 2^-16 (0.25 LSB at full scale), the product's own 1/8 LSB.
        Assert.True(worst <= 0.5, $"fixed-point calibration is {worst} LSB from the float definition");
    }

    [Fact]
    public void Large_gains_lower_the_gain_precision_and_defective_pixels_do_not_count()
    {
        var g = new FrameGeometry(64, 64, 12);
        var gain = Enumerable.Repeat(1f, g.PixelCount).ToArray();
        gain[5] = 6f;
        gain[9] = 60f;
        var defects = new DefectMap(g);
        defects.AddPixel(9, 0);
        var q = new CalibrationData(g, new float[g.PixelCount], gain, defects).FixedPoint;
        Assert.Equal(4, q.FractionBits);
        Assert.Equal(13, q.GainShift); // 6 * 2^13 = 49152 fits, 6 * 2^14 does not
        Assert.Equal(ushort.MaxValue, q.Gain[9]);
        Assert.Equal(4095 * 16, q.Corrected(4095, 0));
    }
}
