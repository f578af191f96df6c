using CathLab.Processing.Calibration;
using CathLab.Processing.Display;
using CathLab.Processing.Frames;
using CathLab.Processing.Pipeline;
using CathLab.Processing.Subtraction;
using Silk.NET.OpenCL;

namespace CathLab.Processing.OpenCl;

/// <summary>The OpenCL implementation: every intermediate frame stays in device buffers; per frame the raw
/// frame crosses to the device once and the packed output comes back once. Transfers run on their own queue,
/// in row bands (<see cref="TransferBands"/>), so the upload of one band overlaps the first pass over the band
/// before it, and the download of one band's display rows overlaps the display kernels of the next; events
/// order each band's kernels after its upload and its download after its kernels.</summary>
internal sealed unsafe class OpenClChain : IChainBackend
{
    private readonly CL _cl;
    private readonly FrameGeometry _g;
    private readonly nint _context;
    private readonly nint _queue;
    private readonly nint _transfer;
    private readonly TransferBands _bands;
    private readonly nint _program;
    private readonly nint _raw, _dark, _gain, _state, _mask, _peak, _log, _lut, _first, _smoothed, _columns, _output;
    private FixedPointCalibration? _calibration;
    private nint _targets, _neighbours, _weights;
    private int _defectCount;
    private readonly nint _kCalibrate, _kRecursive, _kSubtract, _kRoadmapMask, _kRoadmapPeak, _kRoadmapOverlay, _kFinishMask, _kDefects, _kSmooth, _kColumns, _kGray8, _kLut16, _kDownscale;
    private bool _disposed;

    private OpenClChain(CL cl, FrameGeometry g, int transferBands, nint device, string description)
    {
        _cl = cl;
        _g = g;
        _bands = new TransferBands(g.Height, transferBands);
        Description = description;
        int err;
        _context = cl.CreateContext(null, 1, &device, null, null, &err);
        OpenClException.Check(err, "clCreateContext");
        _queue = cl.CreateCommandQueue(_context, device, (CommandQueueProperties)0, &err);
        OpenClException.Check(err, "clCreateCommandQueue");
        _transfer = cl.CreateCommandQueue(_context, device, (CommandQueueProperties)0, &err);
        OpenClException.Check(err, "clCreateCommandQueue (transfers)");
        _program = BuildProgram(device);

        nuint n = (nuint)g.PixelCount;
        _raw = Buffer(n * 2);
        _dark = Buffer(n * 2);
        _gain = Buffer(n * 2);
        _state = Buffer(n * 2);
        _mask = Buffer(n * 4);
        _peak = Buffer(n * 4);
        _log = Buffer(LogTransform.TableLength * 4);
        _lut = Buffer(65536 * 2);
        _first = Buffer(n * 2);
        _smoothed = Buffer(n * 2);
        _columns = Buffer((nuint)((g.Width + 2 * BoxColumnPad) * g.Height) * 4);
        _output = Buffer(n * 2 + n / 4);
        fixed (float* log = LogTransform.Table)
            OpenClException.Check(cl.EnqueueWriteBuffer(_queue, _log, true, 0, LogTransform.TableLength * 4, log, 0, null, null), "upload log table");

        _kCalibrate = Kernel("calibrate");
        _kRecursive = Kernel("calibrate_recursive");
        _kSubtract = Kernel("calibrate_subtract");
        _kRoadmapMask = Kernel("calibrate_roadmap_mask");
        _kRoadmapPeak = Kernel("calibrate_roadmap_peak");
        _kRoadmapOverlay = Kernel("calibrate_roadmap_overlay");
        _kFinishMask = Kernel("finish_roadmap_mask");
        _kDefects = Kernel("fix_defects");
        _kSmooth = Kernel("smooth");
        _kColumns = Kernel("box_columns");
        _kGray8 = Kernel("unsharp_gray8");
        _kLut16 = Kernel("unsharp_lut16");
        _kDownscale = Kernel("downscale");
    }

    public string Description { get; }

    /// <summary>Opens the first OpenCL device (a GPU if any platform has one), or says why none is usable.</summary>
    /// <param name="transferBands">Row bands a frame's transfers are split into (<see cref="TransferBands"/>).</param>
    public static bool TryCreate(FrameGeometry g, int transferBands, out OpenClChain? chain, out string reason)
    {
        chain = null;
        CL cl;
        try { cl = CL.GetApi(); }
        catch (Exception e) { reason = $"OpenCL loader not available: {e.Message}"; return false; }
        try
        {
            uint count;
            int err = cl.GetPlatformIDs(0, null, &count);
            if (err != 0 || count == 0) { reason = $"no OpenCL platform (clGetPlatformIDs returned {err}, {count} platforms)"; return false; }
            var platforms = new nint[count];
            fixed (nint* p = platforms) OpenClException.Check(cl.GetPlatformIDs(count, p, null), "clGetPlatformIDs");
            foreach (var type in new[] { DeviceType.Gpu, DeviceType.All })
                foreach (var platform in platforms)
                {
                    nint device;
                    uint devices;
                    if (cl.GetDeviceIDs(platform, type, 1, &device, &devices) != 0 || devices == 0) continue;
                    string description = $"OpenCL: {PlatformText(cl, platform, PlatformInfo.Name)} / {DeviceText(cl, device, DeviceInfo.Name)}";
                    chain = new OpenClChain(cl, g, transferBands, device, description);
                    reason = "";
                    return true;
                }
            reason = "OpenCL platforms are present but none has a device";
            return false;
        }
        catch (Exception e)
        {
            reason = $"OpenCL setup failed: {e.Message}";
            return false;
        }
    }

    private static string PlatformText(CL cl, nint platform, PlatformInfo info)
    {
        byte* text = stackalloc byte[256];
        nuint size;
        cl.GetPlatformInfo(platform, info, 256, text, &size);
        return new string((sbyte*)text).Trim();
    }

    private static string DeviceText(CL cl, nint device, DeviceInfo info)
    {
        byte* text = stackalloc byte[256];
        nuint size;
        cl.GetDeviceInfo(device, info, 256, text, &size);
        return new string((sbyte*)text).Trim();
    }

    private nint BuildProgram(nint device)
    {
        var sources = KernelSource.Files.Select(KernelSource.Read).ToArray();
        int err;
        var program = _cl.CreateProgramWithSource(_context, (uint)sources.Length, sources, null, &err);
        OpenClException.Check(err, "clCreateProgramWithSource");
        err = _cl.BuildProgram(program, 1, &device, "-cl-fp32-correctly-rounded-divide-sqrt", null, null);
        if (err != 0)
        {
            nuint size;
            _cl.GetProgramBuildInfo(program, device, ProgramBuildInfo.BuildLog, 0, null, &size);
            var log = new byte[(int)size + 1];
            fixed (byte* l = log) _cl.GetProgramBuildInfo(program, device, ProgramBuildInfo.BuildLog, size, l, null);
            throw new InvalidOperationException($"OpenCL kernels failed to build ({err}): {System.Text.Encoding.UTF8.GetString(log).TrimEnd('\0')}");
        }
        return program;
    }

    private nint Buffer(nuint bytes)
    {
        int err;
        var buffer = _cl.CreateBuffer(_context, MemFlags.ReadWrite, bytes, null, &err);
        OpenClException.Check(err, "clCreateBuffer");
        return buffer;
    }

    private nint Kernel(string name)
    {
        int err;
        var kernel = _cl.CreateKernel(_program, name, &err);
        OpenClException.Check(err, $"clCreateKernel {name}");
        return kernel;
    }

    private void Arg<T>(nint kernel, uint index, T value) where T : unmanaged =>
        OpenClException.Check(_cl.SetKernelArg(kernel, index, (nuint)sizeof(T), &value), "clSetKernelArg");

    // Work-groups of whole row segments: left to the runtime, PoCL picks groups too small to vectorise.
    private void Run(nint kernel, nuint x, nuint y = 1, bool grouped = true) => Run(kernel, 0, x, 0, y, grouped);

    /// <summary>Items [x0, x0 + x) by [y0, y0 + y) (a global offset: the kernels index by get_global_id),
    /// after <paramref name="after"/> completes when it is an event, signalling <paramref name="done"/> if given.</summary>
    private void Run(nint kernel, nuint x0, nuint x, nuint y0, nuint y, bool grouped = true, nint after = 0, nint* done = null)
    {
        nuint* offset = stackalloc nuint[2] { x0, y0 };
        nuint* global = stackalloc nuint[2] { x, y };
        nuint* local = stackalloc nuint[2] { GroupWidth(x), 1 };
        OpenClException.Check(_cl.EnqueueNdrangeKernel(_queue, kernel, y == 1 && y0 == 0 ? 1u : 2u, offset, global, grouped ? local : null,
            after == 0 ? 0u : 1u, after == 0 ? null : &after, done), "clEnqueueNDRangeKernel");
    }

    private static nuint GroupWidth(nuint x)
    {
        foreach (nuint candidate in (ReadOnlySpan<nuint>)[256, 128, 64, 32, 16, 8, 4, 2])
            if (x % candidate == 0) return candidate;
        return 1;
    }

    private void Upload<T>(nint buffer, ReadOnlySpan<T> data) where T : unmanaged
    {
        fixed (T* p = data)
            OpenClException.Check(_cl.EnqueueWriteBuffer(_queue, buffer, true, 0, (nuint)(data.Length * sizeof(T)), p, 0, null, null), "clEnqueueWriteBuffer");
    }

    private void Fill(nint buffer, nuint bytes)
    {
        float zero = 0;
        OpenClException.Check(_cl.EnqueueFillBuffer(_queue, buffer, &zero, 4, 0, bytes, 0, null, null), "clEnqueueFillBuffer");
    }

    public void SetCalibration(CalibrationData calibration)
    {
        _calibration = calibration.FixedPoint;
        Upload<ushort>(_dark, _calibration.Dark);
        Upload<ushort>(_gain, _calibration.Gain);
        var table = calibration.DefectTable;
        ReleaseDefects();
        _defectCount = table.Count;
        if (_defectCount == 0) return;
        _targets = Buffer((nuint)table.Targets.Length * 4);
        _neighbours = Buffer((nuint)table.Neighbours.Length * 4);
        _weights = Buffer((nuint)table.Weights.Length * 4);
        Upload<int>(_targets, table.Targets);
        Upload<int>(_neighbours, table.Neighbours);
        Upload<float>(_weights, table.Weights);
    }

    private void ReleaseDefects()
    {
        foreach (var b in new[] { _targets, _neighbours, _weights })
            if (b != 0) _cl.ReleaseMemObject(b);
        _targets = _neighbours = _weights = 0;
        _defectCount = 0;
    }

    public void SetMask(ReadOnlySpan<float> shiftedMask) => Upload(_mask, shiftedMask);

    public void SetLut(ushort[] lut) => Upload<ushort>(_lut, lut);

    public void ResetTemporal()
    {
        nuint bytes = (nuint)_g.PixelCount * 4;
        Fill(_state, bytes / 2);
        Fill(_mask, bytes);
        Fill(_peak, bytes);
        OpenClException.Check(_cl.Finish(_queue), "clFinish");
    }

    public void FinishRoadmapMask(int frames)
    {
        Arg(_kFinishMask, 0, _mask);
        Arg(_kFinishMask, 1, _peak);
        Arg(_kFinishMask, 2, 1f / frames);
        Run(_kFinishMask, (nuint)_g.PixelCount);
        OpenClException.Check(_cl.Finish(_queue), "clFinish");
    }

    public void Process(ReadOnlySpan<ushort> raw, in ChainConstants k, Span<byte> output)
    {
        int w = _g.Width, bands = _bands.Count;
        int factor = k.Format == OutputFormat.Gray8 ? k.DownscaleFactor : 1;
        int pixelBytes = k.Format == OutputFormat.Gray8 ? 1 : 2;
        nint* uploaded = stackalloc nint[TransferBands.Max];
        nint* shown = stackalloc nint[TransferBands.Max];
        new Span<nint>(uploaded, TransferBands.Max).Clear();
        new Span<nint>(shown, TransferBands.Max).Clear();
        int transfers = 0, kernels = 0;
        fixed (ushort* rawPointer = raw)
        fixed (byte* outputPointer = output)
        {
            try
            {
                for (int b = 0; b < bands; b++)
                {
                    var (y0, y1) = _bands.Rows(b);
                    nuint start = (nuint)(y0 * w), count = (nuint)((y1 - y0) * w);
                    OpenClException.Check(_cl.EnqueueWriteBuffer(_transfer, _raw, false, start * 2, count * 2, rawPointer + start, 0, null, &uploaded[b]), "upload frame");
                }
                OpenClException.Check(_cl.Flush(_transfer), "clFlush");
                var pixel = PixelStageKernel(k);
                for (int b = 0; b < bands; b++)
                {
                    var (y0, y1) = _bands.Rows(b);
                    Run(pixel, (nuint)(y0 * w), (nuint)((y1 - y0) * w), 0, 1, after: uploaded[b]);
                }
                EnqueueDefects(k);
                var source = k.Smooth ? EnqueueSmooth(k) : _first;
                var display = DisplayKernel(source, k);
                var downscale = factor > 1 ? DownscaleKernel(factor) : 0;
                int reducedWidth = w / factor;
                for (int b = 0; b < bands; b++)
                {
                    var (y0, y1) = _bands.Rows(b);
                    int r0 = y0 / factor, r1 = y1 / factor;
                    bool reduced = downscale != 0 && r1 > r0;
                    Run(display, 0, (nuint)(w / Strip), (nuint)y0, (nuint)(y1 - y0), done: reduced ? null : &shown[b]);
                    if (reduced) Run(downscale, 0, (nuint)(w / Strip), (nuint)r0, (nuint)(r1 - r0), done: &shown[b]);
                    OpenClException.Check(_cl.Flush(_queue), "clFlush");
                    var wait = shown[b];
                    nuint displayStart = (nuint)(y0 * w * pixelBytes), displayCount = (nuint)((y1 - y0) * w * pixelBytes);
                    OpenClException.Check(_cl.EnqueueReadBuffer(_transfer, _output, false, displayStart, displayCount, outputPointer + displayStart, 1, &wait, null), "download output");
                    if (!reduced) continue;
                    nuint reducedStart = (nuint)(_g.PixelCount + r0 * reducedWidth), reducedCount = (nuint)((r1 - r0) * reducedWidth);
                    OpenClException.Check(_cl.EnqueueReadBuffer(_transfer, _output, false, reducedStart, reducedCount, outputPointer + reducedStart, 1, &wait, null), "download output");
                }
            }
            finally
            {
                // Nothing may still read the raw frame or write the output once they are unpinned.
                transfers = _cl.Finish(_transfer);
                kernels = _cl.Finish(_queue);
                for (int b = 0; b < TransferBands.Max; b++)
                {
                    if (uploaded[b] != 0) _cl.ReleaseEvent(uploaded[b]);
                    if (shown[b] != 0) _cl.ReleaseEvent(shown[b]);
                }
            }
        }
        OpenClException.Check(transfers, "clFinish (transfers)");
        OpenClException.Check(kernels, "clFinish");
    }

    public void RunStep(StepKind step, ReadOnlySpan<ushort> raw, in ChainConstants k, Span<byte> output)
    {
        switch (step)
        {
            case StepKind.Calibrate: Run(PixelStageKernel(k with { Stage = PixelStage.Calibrate }), (nuint)_g.PixelCount); break;
            case StepKind.CalibrateRecursive: Run(PixelStageKernel(k with { Stage = PixelStage.CalibrateRecursive }), (nuint)_g.PixelCount); break;
            case StepKind.CalibrateLogSubtract: Run(PixelStageKernel(k with { Stage = PixelStage.Subtract }), (nuint)_g.PixelCount); break;
            case StepKind.DefectFix: EnqueueDefects(k); break;
            case StepKind.Smooth: EnqueueSmooth(k); break;
            case StepKind.UnsharpWindowLevel: Run(DisplayKernel(_first, k), (nuint)(_g.Width / Strip), (nuint)_g.Height); break;
            case StepKind.Downscale2: Run(DownscaleKernel(2), (nuint)(_g.Width / Strip), (nuint)(_g.Height / 2)); break;
        }
        OpenClException.Check(_cl.Finish(_queue), "clFinish");
    }

    private void EnqueueDefects(in ChainConstants k)
    {
        if (_defectCount == 0) return;
        Arg(_kDefects, 0, _first);
        Arg(_kDefects, 1, _targets);
        Arg(_kDefects, 2, _neighbours);
        Arg(_kDefects, 3, _weights);
        Arg(_kDefects, 4, k.MaxValue);
        Run(_kDefects, (nuint)_defectCount, grouped: false);
    }

    private nint EnqueueSmooth(in ChainConstants k)
    {
        Arg(_kSmooth, 0, _first);
        Arg(_kSmooth, 1, _smoothed);
        Arg(_kSmooth, 2, _g.Width);
        Arg(_kSmooth, 3, _g.Height);
        Arg(_kSmooth, 4, k.NoiseSlope);
        Arg(_kSmooth, 5, k.NoiseIntercept);
        Arg(_kSmooth, 6, k.SmoothThresholdSquared);
        RunStrips(_kSmooth, _g.Height);
        return _smoothed;
    }

    /// <summary>Enqueues the box sums and returns the display kernel, its arguments set, for the caller to run
    /// over the rows it chooses (items: 16-pixel strips (<see cref="Strip"/>) by rows).</summary>
    private nint DisplayKernel(nint source, in ChainConstants k)
    {
        int w = _g.Width, h = _g.Height;
        bool sharpen = k.UnsharpGain != 0f;
        // Radius -1: no box sums at all (see display.cl's enhanced).
        int radius = sharpen ? k.BoxRadius : -1;
        float inverseArea = sharpen ? k.InverseBoxArea : 1f;
        if (sharpen)
        {
            Arg(_kColumns, 0, source);
            Arg(_kColumns, 1, _columns);
            Arg(_kColumns, 2, w);
            Arg(_kColumns, 3, h);
            Arg(_kColumns, 4, radius);
            RunStrips(_kColumns, (h + BoxColumnBand - 1) / BoxColumnBand);
        }
        var kernel = k.Format == OutputFormat.Gray8 ? _kGray8 : _kLut16;
        uint a = 0;
        Arg(kernel, a++, source);
        Arg(kernel, a++, _columns);
        Arg(kernel, a++, _output);
        if (k.Format == OutputFormat.Lut16) Arg(kernel, a++, _lut);
        Arg(kernel, a++, w);
        Arg(kernel, a++, radius);
        Arg(kernel, a++, k.UnsharpGain);
        Arg(kernel, a++, inverseArea);
        if (k.Format == OutputFormat.Gray8)
        {
            Arg(kernel, a++, k.WindowLow);
            Arg(kernel, a, k.WindowScale);
        }
        return kernel;
    }

    /// <summary>Pixels of a row per work-item of the display kernels (STRIP in Kernels/display.cl); widths are multiples of 16.</summary>
    private const int Strip = 16;

    /// <summary>Rows each box_columns item runs down (BAND), and the replicated column sums on each side of a row of
    /// its output (PAD, more than the largest box radius, 15), as in Kernels/display.cl.</summary>
    private const int BoxColumnBand = 32, BoxColumnPad = 16;

    /// <summary>The downscale kernel, its arguments set (items: 16-pixel strips of the display (<see cref="Strip"/>) by reduced rows).</summary>
    private nint DownscaleKernel(int factor)
    {
        Arg(_kDownscale, 0, _output);
        Arg(_kDownscale, 1, _g.Width);
        Arg(_kDownscale, 2, factor);
        Arg(_kDownscale, 3, _g.PixelCount);
        return _kDownscale;
    }

    // One item per 16-pixel strip of each of `rows` rows, in work-groups of whole rows of strips (as wide as
    // divides them, up to 256 items) and up to 4 rows, which PoCL runs as one loop and a GPU as one block.
    private void RunStrips(nint kernel, int rows)
    {
        nuint strips = (nuint)(_g.Width / Strip);
        nuint groupWidth = GroupWidth(strips);
        nuint groupRows = 1;
        while (groupRows < 4 && rows % (int)(groupRows * 2) == 0 && groupWidth * groupRows * 2 <= 256) groupRows *= 2;
        nuint* global = stackalloc nuint[2] { strips, (nuint)rows };
        nuint* local = stackalloc nuint[2] { groupWidth, groupRows };
        OpenClException.Check(_cl.EnqueueNdrangeKernel(_queue, kernel, 2, null, global, local, 0, null, null), "clEnqueueNDRangeKernel");
    }

    /// <summary>The first-pass kernel of the stage, its arguments set (items: pixels).</summary>
    private nint PixelStageKernel(in ChainConstants k)
    {
        var q = _calibration!;
        switch (k.Stage)
        {
            case PixelStage.Calibrate:
                Arg(_kCalibrate, 0, _raw);
                Arg(_kCalibrate, 1, _dark);
                Arg(_kCalibrate, 2, _gain);
                Arg(_kCalibrate, 3, _first);
                Arg(_kCalibrate, 4, q.FractionBits);
                Arg(_kCalibrate, 5, q.GainShift);
                Arg(_kCalibrate, 6, (uint)q.MaxQ);
                return _kCalibrate;
            case PixelStage.CalibrateRecursive:
                var (varianceSlope, varianceIntercept) = k.DifferenceVarianceQ(q.FractionBits);
                Arg(_kRecursive, 0, _raw);
                Arg(_kRecursive, 1, _dark);
                Arg(_kRecursive, 2, _gain);
                Arg(_kRecursive, 3, _state);
                Arg(_kRecursive, 4, _first);
                Arg(_kRecursive, 5, q.FractionBits);
                Arg(_kRecursive, 6, q.GainShift);
                Arg(_kRecursive, 7, (uint)q.MaxQ);
                Arg(_kRecursive, 8, k.AlphaMin);
                Arg(_kRecursive, 9, k.AlphaRamp);
                Arg(_kRecursive, 10, varianceSlope);
                Arg(_kRecursive, 11, varianceIntercept);
                Arg(_kRecursive, 12, k.LowThreshold);
                Arg(_kRecursive, 13, k.InverseThresholdSpan);
                return _kRecursive;
            default:
                var log = k.Stage switch
                {
                    PixelStage.Subtract => _kSubtract,
                    PixelStage.RoadmapMask => _kRoadmapMask,
                    PixelStage.RoadmapPeak => _kRoadmapPeak,
                    _ => _kRoadmapOverlay,
                };
                Arg(log, 0, _raw);
                Arg(log, 1, _dark);
                Arg(log, 2, _gain);
                Arg(log, 3, _log);
                Arg(log, 4, _mask);
                Arg(log, 5, _peak);
                Arg(log, 6, _first);
                Arg(log, 7, q.FractionBits);
                Arg(log, 8, q.GainShift);
                Arg(log, 9, (uint)q.MaxQ);
                Arg(log, 10, k.MaxValue);
                Arg(log, 11, k.SubtractionOffset);
                Arg(log, 12, k.SubtractionGain);
                Arg(log, 13, k.OverlayGain);
                return log;
        }
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _cl.Finish(_transfer);
        _cl.Finish(_queue);
        foreach (var k in new[] { _kCalibrate, _kRecursive, _kSubtract, _kRoadmapMask, _kRoadmapPeak, _kRoadmapOverlay, _kFinishMask, _kDefects, _kSmooth, _kColumns, _kGray8, _kLut16, _kDownscale })
            _cl.ReleaseKernel(k);
        ReleaseDefects();
        foreach (var b in new[] { _raw, _dark, _gain, _state, _mask, _peak, _log, _lut, _first, _smoothed, _columns, _output })
            _cl.ReleaseMemObject(b);
        _cl.ReleaseProgram(_program);
        _cl.ReleaseCommandQueue(_transfer);
        _cl.ReleaseCommandQueue(_queue);
        _cl.ReleaseContext(_context);
    }
}
