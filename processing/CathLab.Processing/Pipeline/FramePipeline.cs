using CathLab.Processing.Calibration;
using CathLab.Processing.Cpu;
using CathLab.Processing.Display;
using CathLab.Processing.Filters;
using CathLab.Processing.Frames;
using CathLab.Processing.OpenCl;
using CathLab.Processing.Registration;
using CathLab.Processing.Subtraction;

namespace CathLab.Processing.Pipeline;

/// <summary>Chains the steps for the current <see cref="PipelineMode"/>, one raw frame in, one output
/// buffer (<see cref="DisplayLayout"/>) out. Parameters may be changed from any thread with
/// <see cref="Update"/>; the change takes effect at the next frame, without a pause. Everything else
/// is called from the one thread that processes frames.</summary>
public sealed class FramePipeline : IDisposable
{
    private static int s_fallbackReported;

    private readonly IChainBackend _backend;
    private readonly float[] _maskAverage;
    private readonly float[] _maskShifted;
    private readonly ushort[] _scratch;
    private readonly float[] _liveLog;
    private ProcessingParameters _requested;
    private ProcessingParameters? _applied;
    private CalibrationData _calibration;
    private SubtractionMask _liveMask;
    private bool _maskReady;
    private bool _maskFromRemask;
    private PixelShift _uploadedShift;
    private bool _temporalFresh = true;
    private int _roadmapMaskFrames;
    private RoadmapPhase _roadmapPhase;
    private ShiftEstimator? _estimator;

    public FramePipeline(CalibrationData calibration, ProcessingParameters parameters, PipelineOptions? options = null)
    {
        options ??= new PipelineOptions();
        Geometry = calibration.Geometry;
        parameters.Validate(Geometry);
        if (options.CpuThreads < 1 || options.CpuThreads > 64) throw new ArgumentOutOfRangeException(nameof(options), options.CpuThreads, "CPU threads must be in [1, 64]");
        if (options.TransferBands < 1 || options.TransferBands > PipelineOptions.MaxTransferBands)
            throw new ArgumentOutOfRangeException(nameof(options), options.TransferBands, $"transfer bands must be in [1, {PipelineOptions.MaxTransferBands}]");
        _requested = parameters;
        _calibration = calibration;
        _liveMask = new SubtractionMask(calibration);
        int n = Geometry.PixelCount;
        _maskAverage = new float[n];
        _maskShifted = new float[n];
        _scratch = new ushort[n];
        _liveLog = new float[n];
        _backend = CreateBackend(options);
        _backend.SetCalibration(calibration);
        _backend.ResetTemporal();
    }

    public FrameGeometry Geometry { get; }

    /// <summary>Which implementation runs the chain, e.g. "OpenCL: Portable Computing Language / cpu-..." or "CPU, 2 thread(s), ...".</summary>
    public string Backend => _backend.Description;

    public bool UsesOpenCl => _backend is OpenClChain;

    /// <summary>Bytes allocated so far by the CPU path's worker threads (0 for OpenCL); for allocation tests.</summary>
    internal long WorkerAllocatedBytes => _backend is CpuChain cpu ? cpu.WorkerAllocatedBytes : 0;

    /// <summary>Why OpenCL is not used, when it is not.</summary>
    public string? FallbackReason { get; private set; }

    public ProcessingParameters Parameters => Volatile.Read(ref _requested);

    /// <summary>Index of the next frame within the current run.</summary>
    public int FrameIndex { get; private set; }

    public DisplayLayout Layout => Parameters.Layout(Geometry);

    /// <summary>True once the DSA mask is complete (live, or from <see cref="Remask"/>).</summary>
    public bool MaskReady => _maskReady;

    /// <summary>Tests: lets the next fallback be reported again.</summary>
    internal static void ForgetFallbackReport() => Interlocked.Exchange(ref s_fallbackReported, 0);

    private IChainBackend CreateBackend(PipelineOptions options)
    {
        if (options.Backend == BackendChoice.Cpu) return new CpuChain(Geometry, options.CpuThreads);
        string reason = "no OpenCL platform (hidden by PipelineOptions)";
        if (!options.HideOpenCl && OpenClChain.TryCreate(Geometry, options.TransferBands, out var chain, out reason)) return chain!;
        if (options.Backend == BackendChoice.OpenCl) throw new InvalidOperationException($"OpenCL was required but is not usable: {reason}");
        FallbackReason = reason;
        if (Interlocked.Exchange(ref s_fallbackReported, 1) == 0)
            options.Log($"processing: no usable OpenCL platform ({reason}); frames are processed on the CPU");
        return new CpuChain(Geometry, options.CpuThreads);
    }

    /// <summary>Validates and queues new parameters; they apply from the next frame. Throws, leaving the
    /// current parameters in force, if any is out of range.</summary>
    public void Update(ProcessingParameters parameters)
    {
        parameters.Validate(Geometry);
        Volatile.Write(ref _requested, parameters);
    }

    public void SetCalibration(CalibrationData calibration)
    {
        if (calibration.Geometry != Geometry) throw new ArgumentException($"calibration is for {calibration.Geometry}, the pipeline for {Geometry}", nameof(calibration));
        _calibration = calibration;
        _liveMask = new SubtractionMask(calibration);
        _backend.SetCalibration(calibration);
    }

    /// <summary>Starts a new run: frame index 0, recursive filter and roadmap state cleared, live DSA mask emptied.</summary>
    public void BeginRun()
    {
        FrameIndex = 0;
        _backend.ResetTemporal();
        _temporalFresh = true;
        _roadmapMaskFrames = 0;
        _roadmapPhase = RoadmapPhase.Mask;
        _liveMask.Clear();
        _maskReady = false;
        _maskFromRemask = false;
    }

    /// <summary>Processes one raw frame into <paramref name="output"/> laid out as <see cref="Layout"/>.
    /// Sizes are checked before anything is read or written.</summary>
    public void Process(ReadOnlySpan<ushort> raw, Span<byte> output)
    {
        var p = Volatile.Read(ref _requested);
        Geometry.RequireLength(raw.Length, nameof(raw));
        var layout = p.Layout(Geometry);
        if (output.Length < layout.TotalBytes)
            throw new ArgumentException($"output holds {output.Length} bytes but {p.Display.Format} output with downscale {p.Display.DownscaleFactor} needs {layout.TotalBytes}", nameof(output));

        Apply(p);
        var k = Constants(p, raw);
        _backend.Process(raw, k, output[..layout.TotalBytes]);
        FrameIndex++;
    }

    /// <summary>Runs one step alone with the current parameters, on the buffers the last frame left (benchmarks).</summary>
    internal void RunStep(StepKind step, ReadOnlySpan<ushort> raw, Span<byte> output)
    {
        var p = Volatile.Read(ref _requested);
        Geometry.RequireLength(raw.Length, nameof(raw));
        if (output.Length < p.Layout(Geometry).TotalBytes) throw new ArgumentException("output too small", nameof(output));
        var k = Constants(p, raw) with { AlphaMin = (float)p.Recursive.Alpha, AlphaRamp = (float)(1 - p.Recursive.Alpha) };
        _backend.RunStep(step, raw, k, output);
    }

    private void Apply(ProcessingParameters p)
    {
        if (ReferenceEquals(p, _applied)) return;
        if (_applied is null || _applied.Mode != p.Mode)
        {
            _backend.ResetTemporal();
            _temporalFresh = true;
            _roadmapMaskFrames = 0;
            _roadmapPhase = RoadmapPhase.Mask;
            if (p.Mode == PipelineMode.Dsa && _maskReady) UploadMask(p.Subtraction.Shift);
        }
        if (p.Display.Format == OutputFormat.Lut16 && !ReferenceEquals(p.Display.Lut, _applied?.Display.Lut)) _backend.SetLut(p.Display.Lut!);
        if (p.Mode == PipelineMode.Dsa && _maskReady && p.Subtraction.Shift != _uploadedShift) UploadMask(p.Subtraction.Shift);
        _applied = p;
    }

    private void UploadMask(PixelShift shift)
    {
        MaskShifter.Apply(Geometry, _maskAverage, shift, _maskShifted);
        _backend.SetMask(_maskShifted);
        _uploadedShift = shift;
    }

    private ChainConstants Constants(ProcessingParameters p, ReadOnlySpan<ushort> raw)
    {
        var stage = PixelStage.Calibrate;
        switch (p.Mode)
        {
            case PipelineMode.Fluoro:
                stage = PixelStage.CalibrateRecursive;
                break;
            case PipelineMode.Dsa:
                if (!_maskReady && !_maskFromRemask && FrameIndex >= p.Subtraction.MaskFirst && FrameIndex <= p.Subtraction.MaskLast)
                {
                    _liveMask.Add(raw);
                    if (FrameIndex == p.Subtraction.MaskLast)
                    {
                        _liveMask.Average(_maskAverage);
                        _maskReady = true;
                        // This frame is itself a mask frame and is still shown unsubtracted.
                        UploadMask(p.Subtraction.Shift);
                        break;
                    }
                }
                if (_maskReady) stage = PixelStage.Subtract;
                break;
            case PipelineMode.Roadmap:
                stage = RoadmapStage(p.Roadmap.Phase);
                break;
        }

        bool fresh = stage == PixelStage.CalibrateRecursive && _temporalFresh;
        if (stage == PixelStage.CalibrateRecursive) _temporalFresh = false;
        var r = p.Recursive;
        double alpha = fresh ? 1 : r.Alpha;
        int radius = p.Unsharp.KernelSize / 2;
        return new ChainConstants
        {
            Stage = stage,
            MaxValue = Geometry.MaxValue,
            AlphaMin = (float)alpha,
            AlphaRamp = (float)(1 - alpha),
            NoiseSlope = (float)p.Noise.Slope,
            NoiseIntercept = (float)p.Noise.Intercept,
            DifferenceVarianceFactor = (float)(r.DifferenceSigmaFactor * r.DifferenceSigmaFactor),
            LowThreshold = (float)r.LowThreshold,
            InverseThresholdSpan = (float)(1 / (r.HighThreshold - r.LowThreshold)),
            SubtractionOffset = (float)(p.Subtraction.Offset ?? (Geometry.MaxValue + 1) / 2.0),
            SubtractionGain = (float)p.Subtraction.Gain,
            OverlayGain = (float)p.Roadmap.OverlayGain,
            Smooth = p.Smoothing.Enabled,
            SmoothThresholdSquared = (float)(p.Smoothing.Threshold * p.Smoothing.Threshold),
            BoxRadius = radius,
            UnsharpGain = (float)p.Unsharp.Gain,
            InverseBoxArea = 1f / ((2 * radius + 1) * (2 * radius + 1)),
            Format = p.Display.Format,
            WindowLow = p.Display.Low,
            WindowScale = p.Display.Scale,
            DownscaleFactor = p.Display.DownscaleFactor,
        };
    }

    private PixelStage RoadmapStage(RoadmapPhase requested)
    {
        if (requested != RoadmapPhase.Mask && _roadmapPhase == RoadmapPhase.Mask)
        {
            if (_roadmapMaskFrames == 0) throw new InvalidOperationException("roadmap: no mask frames were acquired before opacification; run the Mask phase first");
            _backend.FinishRoadmapMask(_roadmapMaskFrames);
        }
        if (requested == RoadmapPhase.Mask && _roadmapPhase != RoadmapPhase.Mask)
            throw new InvalidOperationException("roadmap: cannot go back to the Mask phase within a run; call BeginRun");
        _roadmapPhase = requested;
        switch (requested)
        {
            case RoadmapPhase.Mask:
                _roadmapMaskFrames++;
                return PixelStage.RoadmapMask;
            case RoadmapPhase.Opacify:
                return PixelStage.RoadmapPeak;
            default:
                return PixelStage.RoadmapOverlay;
        }
    }

    /// <summary>Remasking: rebuilds the DSA mask from frames <paramref name="first"/>..<paramref name="last"/>
    /// of a recorded run. The range is checked before any frame is read. Frames processed afterwards (for
    /// instance the run replayed through <see cref="Process"/>) are subtracted with the new mask.</summary>
    public void Remask(IRunFrames run, int first, int last)
    {
        SubtractionMask.ValidateRange(run.Count, first, last);
        var mask = SubtractionMask.FromRun(_calibration, run, first, last);
        mask.Average(_maskAverage);
        _maskReady = true;
        _maskFromRemask = true;
        UploadMask(Parameters.Subtraction.Shift);
    }

    /// <summary>Estimates the shift of the mask that best matches <paramref name="liveRaw"/> inside
    /// <paramref name="region"/> (phase correlation, refined to sub-pixel by Gauss-Newton). Apply it with
    /// <see cref="Update"/> (Subtraction.Shift), or use it for display only.</summary>
    public PixelShift EstimateShift(ReadOnlySpan<ushort> liveRaw, RegionOfInterest region)
    {
        Geometry.RequireLength(liveRaw.Length, nameof(liveRaw));
        region.Validate(Geometry);
        if (!_maskReady) throw new InvalidOperationException("no DSA mask yet: acquire the mask frames or call Remask first");
        ScalarCalibration.Apply(_calibration, liveRaw, _scratch);
        var log = LogTransform.Table;
        for (int i = 0; i < _scratch.Length; i++) _liveLog[i] = log[_scratch[i]];
        _estimator ??= new ShiftEstimator();
        return _estimator.Estimate(Geometry, _maskAverage, _liveLog, region);
    }

    public void Dispose() => _backend.Dispose();
}
