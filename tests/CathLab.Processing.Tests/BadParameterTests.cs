using CathLab.Processing.Calibration;
using CathLab.Processing.Display;
using CathLab.Processing.Filters;
using CathLab.Processing.Frames;
using CathLab.Processing.Pipeline;
using CathLab.Processing.Registration;
using CathLab.Processing.Subtraction;
using CathLab.Processing.Tests.Synthetic;

namespace CathLab.Processing.Tests;

/// <summary>Bad parameters are refused with a clear message before any frame is touched.</summary>
public sealed class BadParameterTests
{
    private static readonly FrameGeometry G = new(256, 256, 14);

    private static FramePipeline Pipeline(ProcessingParameters? p = null) =>
        Chains.Create(CalibrationData.Identity(G), p ?? new ProcessingParameters(), BackendChoice.Cpu);

    [Fact]
    public void Wrong_frame_size_is_refused_and_the_output_is_untouched()
    {
        using var pipeline = Pipeline();
        var output = new byte[pipeline.Layout.TotalBytes];
        output.AsSpan().Fill(0xA5);
        var e = Assert.Throws<ArgumentException>(() => pipeline.Process(new ushort[512 * 512], output));
        Assert.Contains("256x256", e.Message);
        Assert.All(output, b => Assert.Equal(0xA5, b));
        Assert.Equal(0, pipeline.FrameIndex);
    }

    [Fact]
    public void Too_small_output_is_refused_before_processing()
    {
        using var pipeline = Pipeline(new ProcessingParameters { Display = new DisplaySettings { DownscaleFactor = 2 } });
        var output = new byte[G.PixelCount]; // misses the downscaled frame
        var e = Assert.Throws<ArgumentException>(() => pipeline.Process(new ushort[G.PixelCount], output));
        Assert.Contains("needs", e.Message);
        Assert.All(output, b => Assert.Equal(0, b));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(8)]
    [InlineData(33)]
    [InlineData(-3)]
    public void Unsharp_kernel_size_out_of_range_is_refused_and_the_old_parameters_stay(int size)
    {
        using var pipeline = Pipeline();
        var before = pipeline.Parameters;
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => pipeline.Update(before with { Unsharp = new UnsharpMaskSettings { KernelSize = size } }));
        Assert.Contains("kernel size", e.Message);
        Assert.Same(before, pipeline.Parameters);
    }

    [Fact]
    public void Mask_outside_the_run_is_refused_before_any_frame_is_read()
    {
        using var pipeline = Pipeline(new ProcessingParameters { Mode = PipelineMode.Dsa });
        var run = new ArrayRun(Enumerable.Range(0, 5).Select(_ => new ushort[G.PixelCount]).ToArray());
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => pipeline.Remask(run, 3, 5));
        Assert.Contains("outside the run", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => pipeline.Remask(run, -1, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => pipeline.Remask(run, 3, 2));
        Assert.Equal(0, run.Reads);
        Assert.False(pipeline.MaskReady);
    }

    public static TheoryData<string, Func<ProcessingParameters, ProcessingParameters>> BadSettings => new()
    {
        { "unsharp gain", p => p with { Unsharp = new UnsharpMaskSettings { Gain = 9 } } },
        { "window width", p => p with { Display = new DisplaySettings { WindowWidth = 0 } } },
        { "downscale factor", p => p with { Display = new DisplaySettings { DownscaleFactor = 3 } } },
        { "LUT", p => p with { Display = new DisplaySettings { Format = OutputFormat.Lut16 } } },
        { "LUT", p => p with { Display = new DisplaySettings { Format = OutputFormat.Lut16, Lut = new ushort[100] } } },
        { "recursive filter gain", p => p with { Recursive = new RecursiveFilterSettings { Alpha = 0 } } },
        { "thresholds", p => p with { Recursive = new RecursiveFilterSettings { LowThreshold = 5, HighThreshold = 4 } } },
        { "noise intercept", p => p with { Noise = new NoiseModel(1, 0) } },
        { "smoothing threshold", p => p with { Smoothing = new NoiseAwareSmoothingSettings { Enabled = true, Threshold = 0.1 } } },
        { "pixel shift", p => p with { Subtraction = new SubtractionSettings { Shift = new PixelShift(100, 0) } } },
        { "pixel shift", p => p with { Subtraction = new SubtractionSettings { Shift = new PixelShift(double.NaN, 0) } } },
        { "mask frames", p => p with { Subtraction = new SubtractionSettings { MaskFirst = 4, MaskLast = 2 } } },
        { "subtraction offset", p => p with { Subtraction = new SubtractionSettings { Offset = 20000 } } },
        { "overlay gain", p => p with { Roadmap = new RoadmapSettings { OverlayGain = 1e6 } } },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public void Out_of_range_settings_are_refused_with_a_message_that_names_them(string named, Func<ProcessingParameters, ProcessingParameters> change)
    {
        using var pipeline = Pipeline();
        var before = pipeline.Parameters;
        var e = Assert.ThrowsAny<ArgumentException>(() => pipeline.Update(change(before)));
        Assert.Contains(named, e.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Same(before, pipeline.Parameters);
        Assert.ThrowsAny<ArgumentException>(() => Pipeline(change(before)));
    }

    [Theory]
    [InlineData(1000, 1024, 14)]
    [InlineData(1024, 1022, 14)]
    [InlineData(32, 32, 14)]
    [InlineData(1024, 1024, 17)]
    [InlineData(1024, 1024, 4)]
    public void Bad_frame_geometry_is_refused(int width, int height, int bits)
    {
        Assert.ThrowsAny<ArgumentException>(() => new FrameGeometry(width, height, bits).Validate());
    }

    [Fact]
    public void Region_of_interest_outside_the_frame_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RegionOfInterest(200, 200, 100, 100).Validate(G));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RegionOfInterest(0, 0, 16, 16).Validate(G));
        using var pipeline = Pipeline(new ProcessingParameters { Mode = PipelineMode.Dsa });
        Assert.Throws<InvalidOperationException>(() => pipeline.EstimateShift(new ushort[G.PixelCount], RegionOfInterest.Centre(G, 64)));
    }

    [Fact]
    public void Calibration_of_another_geometry_is_refused()
    {
        using var pipeline = Pipeline();
        Assert.Throws<ArgumentException>(() => pipeline.SetCalibration(CalibrationData.Identity(new FrameGeometry(512, 512, 14))));
    }

    [Fact]
    public void Roadmap_opacification_without_mask_frames_is_refused()
    {
        var p = new ProcessingParameters { Mode = PipelineMode.Roadmap, Roadmap = new RoadmapSettings { Phase = RoadmapPhase.Opacify } };
        using var pipeline = Pipeline(p);
        var output = new byte[pipeline.Layout.TotalBytes];
        Assert.Throws<InvalidOperationException>(() => pipeline.Process(new ushort[G.PixelCount], output));
    }
}
