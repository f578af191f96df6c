using CathLab.Processing.Calibration;
using CathLab.Processing.Display;
using CathLab.Processing.Frames;
using CathLab.Processing.Pipeline;

namespace CathLab.Processing.Cpu;

/// <summary>The CPU implementation: a fused per-pixel pass, the sparse defect fix, optional smoothing,
/// a fused unsharp + display pass and the downscale, each split over the cores in row bands.
/// All buffers are allocated here once; a frame allocates nothing.</summary>
internal sealed unsafe class CpuChain : IChainBackend
{
    private readonly FrameGeometry _g;
    private readonly BandScheduler _scheduler;
    private readonly float[] _dark;
    private readonly float[] _gain;
    private readonly float[] _state;
    private readonly float[] _mask;
    private readonly float[] _peak;
    private readonly ushort[] _first;
    private readonly ushort[] _smoothed;
    private readonly PixelPass _pixel;
    private readonly SmoothingPass _smoothing;
    private readonly DisplayPass _display;
    private readonly DownscalePass _downscale;
    private DefectInterpolationTable? _defects;
    private ushort[]? _lut;

    public CpuChain(FrameGeometry geometry, int threads)
    {
        _g = geometry;
        int n = geometry.PixelCount;
        _scheduler = new BandScheduler(threads);
        _dark = new float[n];
        _gain = new float[n];
        _state = new float[n];
        _mask = new float[n];
        _peak = new float[n];
        _first = new ushort[n];
        _smoothed = new ushort[n];
        _pixel = new PixelPass(geometry.Width, _dark, _gain, _state, _mask, _peak, _first);
        _smoothing = new SmoothingPass(geometry.Width, geometry.Height, _first, _smoothed);
        _display = new DisplayPass(geometry.Width, geometry.Height, threads);
        _downscale = new DownscalePass(geometry.Width);
        Description = $"CPU, {threads} thread(s), {(System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated ? "256-bit SIMD" : "SIMD emulated")}";
    }

    public string Description { get; }

    internal long WorkerAllocatedBytes => _scheduler.WorkerAllocatedBytes;

    public void SetCalibration(CalibrationData calibration)
    {
        calibration.Dark.CopyTo(_dark, 0);
        calibration.Gain.CopyTo(_gain, 0);
        _defects = calibration.DefectTable;
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
        int rows = _g.Height;
        fixed (ushort* rawPointer = raw)
        fixed (byte* outputPointer = output)
        {
            _pixel.Prepare(rawPointer, k);
            _scheduler.Run(_pixel, rows);
            if (_defects is not null) DefectCorrection.Apply(_defects, _first, k.MaxValue);
            var source = _first;
            if (k.Smooth)
            {
                _smoothing.Prepare(k);
                _scheduler.Run(_smoothing, rows);
                source = _smoothed;
            }
            _display.Prepare(source, outputPointer, _lut, k);
            _scheduler.Run(_display, rows);
            if (k.Format == OutputFormat.Gray8 && k.DownscaleFactor > 1)
            {
                _downscale.Prepare(outputPointer, outputPointer + _g.PixelCount, k.DownscaleFactor);
                _scheduler.Run(_downscale, rows);
            }
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
}
