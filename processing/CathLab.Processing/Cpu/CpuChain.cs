using CathLab.Processing.Calibration;
using CathLab.Processing.Display;
using CathLab.Processing.Frames;
using CathLab.Processing.Pipeline;

namespace CathLab.Processing.Cpu;

/// <summary>The CPU implementation: one fused pass per frame (<see cref="FusedFramePass"/>: per-pixel pass,
/// defect fix, optional smoothing, unsharp + display and downscale, row by row in cache), split over the
/// cores in row bands. All buffers are allocated here once; a frame allocates nothing.</summary>
internal sealed unsafe class CpuChain : IChainBackend
{
    private readonly FrameGeometry _g;
    private readonly BandScheduler _scheduler;
    private readonly ushort[] _state;
    private readonly float[] _mask;
    private readonly float[] _peak;
    private readonly ushort[] _first;
    private readonly ushort[] _smoothed;
    private readonly PixelPass _pixel;
    private readonly SmoothingPass _smoothing;
    private readonly DisplayPass _display;
    private readonly DownscalePass _downscale;
    private readonly FusedFramePass _frame;
    private DefectInterpolationTable? _defects;
    private ushort[]? _lut;

    public CpuChain(FrameGeometry geometry, int threads)
    {
        _g = geometry;
        int n = geometry.PixelCount;
        _scheduler = new BandScheduler(threads);
        _state = new ushort[n];
        _mask = new float[n];
        _peak = new float[n];
        _first = new ushort[n];
        _smoothed = new ushort[n];
        _pixel = new PixelPass(geometry.Width, _state, _mask, _peak, _first);
        _smoothing = new SmoothingPass(geometry.Width, geometry.Height, _first, _smoothed);
        _display = new DisplayPass(geometry.Width, geometry.Height, threads);
        _downscale = new DownscalePass(geometry.Width);
        _frame = new FusedFramePass(geometry.Height, threads, _first, _pixel, _smoothing, _display, _downscale);
        Description = $"CPU, {threads} thread(s), {SimdWidth}";
    }

    public string Description { get; }

    internal long WorkerAllocatedBytes => _scheduler.WorkerAllocatedBytes;

    public void SetCalibration(CalibrationData calibration)
    {
        _pixel.SetCalibration(calibration.FixedPoint);
        _defects = calibration.DefectTable;
        _frame.SetDefects(_defects.Count == 0 ? null : new DefectRows(_defects, _g.Width, _g.Height));
    }

    public void SetMask(ReadOnlySpan<float> shiftedMask) => shiftedMask.CopyTo(_mask);

    public void SetLut(ushort[] lut) => _lut = lut;

    public void ResetTemporal()
    {
        Array.Clear(_state);
        Array.Clear(_mask);
        Array.Clear(_peak);
    }

    public void FinishRoadmapMask(int frames)
    {
        float inverse = 1f / frames;
        for (int i = 0; i < _mask.Length; i++) _mask[i] *= inverse;
        Array.Clear(_peak);
    }

    public void Process(ReadOnlySpan<ushort> raw, in ChainConstants k, Span<byte> output)
    {
        fixed (ushort* rawPointer = raw)
        fixed (byte* outputPointer = output)
        {
            _pixel.Prepare(rawPointer, k);
            if (k.Smooth) _smoothing.Prepare(k);
            _display.Prepare(k.Smooth ? _smoothed : _first, outputPointer, _lut, k);
            _downscale.Prepare(outputPointer, outputPointer + _g.PixelCount, k.DownscaleFactor);
            _frame.Prepare(k);
            _scheduler.Run(_frame, _g.Height);
            _frame.Finish();
        }
    }

    public void RunStep(StepKind step, ReadOnlySpan<ushort> raw, in ChainConstants k, Span<byte> output)
    {
        int rows = _g.Height;
        fixed (ushort* rawPointer = raw)
        fixed (byte* outputPointer = output)
        {
            switch (step)
            {
                case StepKind.Calibrate:
                case StepKind.CalibrateRecursive:
                case StepKind.CalibrateLogSubtract:
                    var stage = step switch { StepKind.Calibrate => PixelStage.Calibrate, StepKind.CalibrateRecursive => PixelStage.CalibrateRecursive, _ => PixelStage.Subtract };
                    _pixel.Prepare(rawPointer, k with { Stage = stage });
                    _scheduler.Run(_pixel, rows);
                    break;
                case StepKind.DefectFix:
                    if (_defects is not null) DefectCorrection.Apply(_defects, _first, k.MaxValue);
                    break;
                case StepKind.Smooth:
                    _smoothing.Prepare(k);
                    _scheduler.Run(_smoothing, rows);
                    break;
                case StepKind.UnsharpWindowLevel:
                    _display.Prepare(_first, outputPointer, _lut, k);
                    _scheduler.Run(_display, rows);
                    break;
                case StepKind.Downscale2:
                    _downscale.Prepare(outputPointer, outputPointer + _g.PixelCount, 2);
                    _scheduler.Run(_downscale, rows);
                    break;
            }
        }
    }

    public void Dispose() => _scheduler.Dispose();

    /// <summary>The widest vectors the passes use here: the per-pixel and display passes take 512-bit loops where
    /// AVX-512 runs natively, 256-bit ones otherwise.</summary>
    private static string SimdWidth =>
        System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? "512-bit SIMD"
        : System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated ? "256-bit SIMD" : "SIMD emulated";
}
