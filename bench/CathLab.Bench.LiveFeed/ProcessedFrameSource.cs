using CathLab.Processing.Calibration;
using CathLab.Processing.Display;
using CathLab.Processing.Frames;
using CathLab.Processing.Pipeline;
using CathLab.Sims.Detector;
using CathLab.Sims.Phantom;
using CathLab.Sims.Physics;
using CathLab.Wire.Generator;

namespace CathLab.Bench.LiveFeed;

/// <summary>Raw frames from the simulator's renderer (rendered once, cycled), run through processing's
/// pipeline (CPU backend) on every tick: the 8-bit display frame comes from its window/level step.</summary>
internal sealed class ProcessedFrameSource : IDisposable
{
    private readonly ushort[][] _raw;
    private readonly FramePipeline _pipeline;
    private readonly byte[] _output;
    private long _next;

    public ProcessedFrameSource(int distinctFrames)
    {
        var physics = new XRayPhysics(new XRayPhysicsOptions(), 14);
        var world = new PhantomWorld(new PhantomOptions { BolusArrivalSeconds = 0.3 }, physics.Options.PixelPitchMm);
        var renderer = new FrameRenderer(world, physics, 11);
        _raw = new ushort[distinctFrames][];
        for (int i = 0; i < distinctFrames; i++)
        {
            _raw[i] = new ushort[Side * Side];
            renderer.RenderExposure(new Technique(75, 10, 6), 1_000_000 + i * 33_333L, DetectorMode.Full1024, (ulong)i, _raw[i]);
        }
        var sorted = _raw[0].Where((_, i) => i % 97 == 0).Order().ToArray();
        double low = sorted[sorted.Length / 100];
        double high = sorted[sorted.Length * 99 / 100];
        var geometry = FrameGeometry.Square1024(14);
        var parameters = new ProcessingParameters { Display = new DisplaySettings { WindowCenter = (low + high) / 2, WindowWidth = Math.Max(1, high - low) } };
        _pipeline = new FramePipeline(CalibrationData.Identity(geometry), parameters, new PipelineOptions { Backend = BackendChoice.Cpu, Log = _ => { } });
        _pipeline.BeginRun();
        _output = new byte[_pipeline.Layout.TotalBytes];
    }

    public const int Side = 1024;

    public string Backend => _pipeline.Backend;

    /// <summary>Processes the next frame; returns its raw pixels (standing in for the processed 16-bit frame) and the display frame.</summary>
    public (long Number, ushort[] Processed16, byte[] Display8) Next()
    {
        long n = _next++;
        var raw = _raw[n % _raw.Length];
        _pipeline.Process(raw, _output);
        return (n, raw, _output);
    }

    public void Dispose() => _pipeline.Dispose();
}
