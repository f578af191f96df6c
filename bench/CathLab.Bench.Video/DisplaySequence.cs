using CathLab.Processing.Calibration;
using CathLab.Processing.Display;
using CathLab.Processing.Filters;
using CathLab.Processing.Frames;
using CathLab.Processing.Pipeline;
using CathLab.Sims.Detector;
using CathLab.Sims.Phantom;
using CathLab.Sims.Physics;
using CathLab.Wire.Generator;
using OpenCvSharp;

namespace CathLab.Bench.Video;

/// <summary>One of the simulator's runs (fluoro, cine, DSA) rendered at 1024², put through processing's pipeline
/// (CPU) in its mode, and kept as 8-bit display frames at 1024², 512² and 256² (area-downscaled, as the live feed's
/// tiers are).</summary>
internal sealed class DisplaySequence
{
    private readonly Dictionary<int, byte[][]> _bySide = [];

    private DisplaySequence(string name, int framesPerSecond)
    {
        Name = name;
        FramesPerSecond = framesPerSecond;
    }

    public string Name { get; }

    public int FramesPerSecond { get; }

    public byte[][] At(int side) => _bySide[side];

    public static DisplaySequence Fluoro(int frames, bool smoothed) =>
        Render("fluoro", frames, 15, PhantomPreset.Coronary, PipelineMode.Fluoro, new Technique(70, 5, 6), bolusSeconds: 100, smoothed);

    public static DisplaySequence Cine(int frames, bool smoothed) =>
        Render("cine", frames, 15, PhantomPreset.Coronary, PipelineMode.Cine, new Technique(80, 20, 8), bolusSeconds: 0.8, smoothed);

    public static DisplaySequence Dsa(int frames, bool smoothed) =>
        Render("DSA", frames, 4, PhantomPreset.Peripheral, PipelineMode.Dsa, new Technique(75, 80, 10), bolusSeconds: 1.6, smoothed);

    /// <param name="smoothed">processing's noise-aware smoothing on and its unsharp mask off: a quieter display
    /// frame, to see what noise costs each codec.</param>
    private static DisplaySequence Render(string name, int frames, int fps, PhantomPreset preset, PipelineMode mode, Technique technique, double bolusSeconds, bool smoothed)
    {
        const int side = 1024;
        var physics = new XRayPhysics(new XRayPhysicsOptions(), 14);
        var world = new PhantomWorld(new PhantomOptions { Preset = preset, BolusArrivalSeconds = bolusSeconds }, physics.Options.PixelPitchMm);
        var renderer = new FrameRenderer(world, physics, 11);
        var raw = new ushort[frames][];
        for (int i = 0; i < frames; i++)
        {
            raw[i] = new ushort[side * side];
            renderer.RenderExposure(technique, 1_000_000 + i * 1_000_000L / fps, DetectorMode.Full1024, (ulong)i, raw[i]);
        }
        var display = Process(raw, mode, smoothed);
        var sequence = new DisplaySequence(name, fps);
        sequence._bySide[side] = display;
        foreach (int reduced in new[] { 512, 256 }) sequence._bySide[reduced] = display.Select(d => AreaDownscale(d, side, reduced)).ToArray();
        return sequence;
    }

    // Two passes: a wide window finds the 0.5th and 99.5th percentiles of the run's middle frame, which then become
    // the window, as a technician's auto window/level would.
    private static byte[][] Process(ushort[][] raw, PipelineMode mode, bool smoothed)
    {
        var geometry = FrameGeometry.Square1024(14);
        var wide = new DisplaySettings { WindowCenter = 8192, WindowWidth = 16384 };
        var probe = Run(raw, geometry, mode, smoothed, wide);
        var sorted = probe[raw.Length / 2].Order().ToArray();
        double low = 16384.0 * sorted[sorted.Length / 200] / 255, high = 16384.0 * sorted[sorted.Length * 199 / 200] / 255;
        return Run(raw, geometry, mode, smoothed, new DisplaySettings { WindowCenter = (low + high) / 2, WindowWidth = Math.Max(64, high - low) });
    }

    private static byte[][] Run(ushort[][] raw, FrameGeometry geometry, PipelineMode mode, bool smoothed, DisplaySettings display)
    {
        var parameters = new ProcessingParameters { Mode = mode, Display = display, Subtraction = new SubtractionSettings { MaskFirst = 0, MaskLast = 1 } };
        if (smoothed) parameters = parameters with { Smoothing = new NoiseAwareSmoothingSettings { Enabled = true }, Unsharp = new UnsharpMaskSettings { Gain = 0 } };
        using var pipeline = new FramePipeline(CalibrationData.Identity(geometry), parameters, new PipelineOptions { Backend = BackendChoice.Cpu, Log = _ => { } });
        pipeline.BeginRun();
        var output = new byte[pipeline.Layout.TotalBytes];
        return raw.Select(r =>
        {
            pipeline.Process(r, output);
            return output[..pipeline.Layout.DisplayBytes];
        }).ToArray();
    }

    private static byte[] AreaDownscale(byte[] pixels, int side, int reduced)
    {
        using var source = Mat.FromPixelData(side, side, MatType.CV_8UC1, pixels);
        using var target = new Mat();
        Cv2.Resize(source, target, new Size(reduced, reduced), 0, 0, InterpolationFlags.Area);
        var result = new byte[reduced * reduced];
        target.GetArray(out byte[] data);
        data.CopyTo(result, 0);
        return result;
    }
}
