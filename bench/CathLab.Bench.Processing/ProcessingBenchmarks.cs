using BenchmarkDotNet.Attributes;
using CathLab.Processing.Calibration;
using CathLab.Processing.Display;
using CathLab.Processing.Filters;
using CathLab.Processing.Frames;
using CathLab.Processing.Pipeline;
using CathLab.Processing.Subtraction;
using OpenCvSharp;

namespace CathLab.Bench.Processing;

/// <summary>Every step and every chain on a 1024x1024 16-bit frame (14 bits stored): our CPU path on
/// both cores and on one, our OpenCL path (whatever platform is present: PoCL on the CI machine), and
/// the OpenCvSharp peer; the baseline is a copy of the 2 MiB raw frame, the memory-bandwidth bound.
/// Step benchmarks run one step on data already in place (device-resident for OpenCL); chain benchmarks
/// include, for OpenCL, the one upload and one download per frame.</summary>
[Config(typeof(ShortConfig))]
[MemoryDiagnoser]
public class ProcessingBenchmarks
{
    private const int Side = 1024;
    private ushort[] _raw = [];
    private ushort[][] _sequence = [];
    private int _next;
    private ushort[] _copyTarget = [];
    private byte[] _output = [];
    private FramePipeline _cpu2 = null!, _cpu1 = null!, _openCl = null!;
    private Dictionary<PipelineMode, (FramePipeline Cpu2, FramePipeline Cpu1, FramePipeline OpenCl)> _chains = [];
    private OpenCvPeer _peer = null!;
    private FramePipeline _fluoroOneBand = null!, _dsaOneBand = null!;

    private static ProcessingParameters Parameters(PipelineMode mode) => new()
    {
        Mode = mode,
        Unsharp = new UnsharpMaskSettings { KernelSize = 9, Gain = 0.5 },
        Display = new DisplaySettings { WindowCenter = 8192, WindowWidth = 16384, DownscaleFactor = 2 },
        Smoothing = new NoiseAwareSmoothingSettings { Enabled = false },
        Subtraction = new SubtractionSettings { MaskFirst = 0, MaskLast = 1, Shift = new PixelShift(0.5, -0.25) },
        Roadmap = new RoadmapSettings { Phase = RoadmapPhase.Mask },
    };

    private const int SequenceLength = 8;

    /// <summary>The next frame of the cycling fluoro sequence: fresh quantum noise and moving structures every
    /// frame, so the recursive filter's motion test sees what it sees in a run (a repeated frame would leave
    /// nothing for it to find).</summary>
    private ushort[] Next() => _sequence[_next++ & (SequenceLength - 1)];

    [GlobalSetup]
    public void Setup()
    {
        var g = new FrameGeometry(Side, Side, 14);
        var rng = new Random(1);
        _copyTarget = new ushort[g.PixelCount];
        _bigSource = new byte[FluoroCopyBytes];
        _bigTarget = new byte[FluoroCopyBytes];
        rng.NextBytes(_bigSource);
        var dark = new float[g.PixelCount];
        var gain = new float[g.PixelCount];
        var mask = new float[g.PixelCount];
        for (int i = 0; i < dark.Length; i++) { dark[i] = 100 + rng.Next(50); gain[i] = 0.9f + 0.2f * (float)rng.NextDouble(); mask[i] = 8f; }
        _sequence = FluoroSequence.Make(Side, SequenceLength, dark, gain, rng);
        _raw = _sequence[0];
        _coldFrames = Enumerable.Range(0, ColdFrames).Select(f => (ushort[])_sequence[f & (SequenceLength - 1)].Clone()).ToArray();
        _coldCopies = Enumerable.Range(0, ColdRingLength).Select(_ =>
        {
            var source = new byte[FluoroCopyBytes];
            var target = new byte[FluoroCopyBytes];
            source.AsSpan().Fill(0x5A);
            target.AsSpan().Fill(0xA5);
            return (source, target);
        }).ToArray();
        var defects = new DefectMap(g);
        for (int d = 0; d < 1000; d++) defects.AddPixel(rng.Next(Side), rng.Next(Side));
        defects.AddColumn(300);
        var calibration = new CalibrationData(g, dark, gain, defects);

        FramePipeline Make(PipelineMode mode, BackendChoice backend, int threads, int transferBands = 4)
        {
            var p = new FramePipeline(calibration, Parameters(mode), new PipelineOptions { Backend = backend, CpuThreads = threads, TransferBands = transferBands });
            var output = new byte[p.Layout.TotalBytes];
            p.BeginRun();
            for (int f = 0; f < 4; f++) p.Process(_sequence[f], output);
            if (mode == PipelineMode.Roadmap)
            {
                p.Update(Parameters(mode) with { Roadmap = new RoadmapSettings { Phase = RoadmapPhase.Opacify } });
                p.Process(_raw, output);
            }
            return p;
        }
        foreach (var mode in Enum.GetValues<PipelineMode>())
            _chains[mode] = (Make(mode, BackendChoice.Cpu, 2), Make(mode, BackendChoice.Cpu, 1), Make(mode, BackendChoice.OpenCl, 1));
        _fluoroOneBand = Make(PipelineMode.Fluoro, BackendChoice.OpenCl, 1, transferBands: 1);
        _dsaOneBand = Make(PipelineMode.Dsa, BackendChoice.OpenCl, 1, transferBands: 1);
        _cpu2 = _chains[PipelineMode.Fluoro].Cpu2;
        _cpu1 = _chains[PipelineMode.Fluoro].Cpu1;
        _openCl = _chains[PipelineMode.Fluoro].OpenCl;
        _output = new byte[_cpu2.Layout.TotalBytes];
        Console.WriteLine($"// OpenCL backend: {_openCl.Backend}");
        Cv2.SetNumThreads(2);
        _peer = new OpenCvPeer(Side, Side, _raw, dark, gain, mask);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var (a, b, c) in _chains.Values) { a.Dispose(); b.Dispose(); c.Dispose(); }
        _fluoroOneBand.Dispose();
        _dsaOneBand.Dispose();
        _peer.Dispose();
    }

    [Benchmark(Baseline = true, Description = "Copy bound: 2 MiB frame copy")]
    public void CopyBound() => _raw.AsSpan().CopyTo(_copyTarget);

    // The bytes a chain must move at the least, copied (a copy of N bytes moves 2N). Fluoro reads the raw frame,
    // the 16-bit dark and gain and the 16-bit recursive state (8 MiB) and writes the state, the 8-bit display
    // frame and the 2x downscale (3.25 MiB): 11.25 MiB. DSA reads raw, dark, gain (6 MiB) and the float32 log
    // mask (4 MiB) and writes display and downscale (1.25 MiB): 11.25 MiB too.
    [Benchmark(Description = "Copy bound: fluoro chain's bytes (5.6 MiB copy)")]
    public void CopyFluoroBytes() => _bigSource.AsSpan(0, FluoroCopyBytes).CopyTo(_bigTarget);

    [Benchmark(Description = "Copy bound: DSA chain's bytes (5.6 MiB copy)")]
    public void CopyDsaBytes() => _bigSource.AsSpan(0, DsaCopyBytes).CopyTo(_bigTarget);

    // The same copy with its bytes not in any cache: a ring of buffers (~360 MiB) far larger than this CPU's
    // last-level cache, each pair last touched 31 copies earlier. This is the bound set by DRAM bandwidth.
    [Benchmark(Description = "Copy bound from memory: a chain's bytes (5.6 MiB copy, cache-cold)")]
    public void CopyOwnBytesFromMemory()
    {
        var (source, target) = _coldCopies[_nextCold++ % _coldCopies.Length];
        source.AsSpan().CopyTo(target);
    }

    // The chains as a live run feeds them: each raw frame arrives in memory (by DMA on the station), not in the
    // cache; the calibration, the filter state and the mask, reused every frame, stay where the CPU keeps them.
    [Benchmark] public void Chain_Fluoro_Cpu2FrameFromMemory() => _chains[PipelineMode.Fluoro].Cpu2.Process(NextCold(), _output);
    [Benchmark] public void Chain_Dsa_Cpu2FrameFromMemory() => _chains[PipelineMode.Dsa].Cpu2.Process(NextCold(), _output);

    private const int ColdRingLength = 32;
    private (byte[] Source, byte[] Target)[] _coldCopies = [];
    private int _nextCold;

    /// <summary>The sequence's frames again at 64 other addresses (128 MiB): each is evicted before it comes round.</summary>
    private ushort[] NextCold() => _coldFrames[_nextColdFrame++ & (ColdFrames - 1)];

    private const int ColdFrames = 64;
    private ushort[][] _coldFrames = [];
    private int _nextColdFrame;

    private const int FluoroCopyBytes = (int)(11.25 * 1024 * 1024 / 2);
    private const int DsaCopyBytes = (int)(11.25 * 1024 * 1024 / 2);
    private byte[] _bigSource = [];
    private byte[] _bigTarget = [];

    // ---- steps ----
    [Benchmark] public void Step_Calibrate_Cpu() => _cpu2.RunStep(StepKind.Calibrate, Next(), _output);
    [Benchmark] public void Step_Calibrate_OpenCl() => _openCl.RunStep(StepKind.Calibrate, Next(), _output);
    [Benchmark] public void Step_Calibrate_OpenCv() => _peer.Calibrate();

    [Benchmark] public void Step_CalibrateRecursive_Cpu() => _cpu2.RunStep(StepKind.CalibrateRecursive, Next(), _output);
    [Benchmark] public void Step_CalibrateRecursive_OpenCl() => _openCl.RunStep(StepKind.CalibrateRecursive, Next(), _output);
    [Benchmark] public void Step_CalibrateRecursive_OpenCv() => _peer.CalibrateRecursive();

    [Benchmark] public void Step_CalibrateLogSubtract_Cpu() => _cpu2.RunStep(StepKind.CalibrateLogSubtract, Next(), _output);
    [Benchmark] public void Step_CalibrateLogSubtract_OpenCl() => _openCl.RunStep(StepKind.CalibrateLogSubtract, Next(), _output);
    [Benchmark] public void Step_CalibrateLogSubtract_OpenCv() => _peer.CalibrateLogSubtract();

    [Benchmark] public void Step_DefectFix_Cpu() => _cpu2.RunStep(StepKind.DefectFix, Next(), _output);
    [Benchmark] public void Step_DefectFix_OpenCl() => _openCl.RunStep(StepKind.DefectFix, Next(), _output);

    [Benchmark] public void Step_Smooth_Cpu() => _cpu2.RunStep(StepKind.Smooth, Next(), _output);
    [Benchmark] public void Step_Smooth_OpenCl() => _openCl.RunStep(StepKind.Smooth, Next(), _output);
    [Benchmark] public void Step_Smooth_OpenCv() => _peer.Smooth();

    [Benchmark] public void Step_UnsharpWindowLevel_Cpu() => _cpu2.RunStep(StepKind.UnsharpWindowLevel, Next(), _output);
    [Benchmark] public void Step_UnsharpWindowLevel_OpenCl() => _openCl.RunStep(StepKind.UnsharpWindowLevel, Next(), _output);
    [Benchmark] public void Step_UnsharpWindowLevel_OpenCv() => _peer.UnsharpWindowLevel();

    [Benchmark] public void Step_Downscale2_Cpu() => _cpu2.RunStep(StepKind.Downscale2, Next(), _output);
    [Benchmark] public void Step_Downscale2_OpenCl() => _openCl.RunStep(StepKind.Downscale2, Next(), _output);
    [Benchmark] public void Step_Downscale2_OpenCv() => _peer.Downscale2();

    // ---- whole chains (downscale 2 included in ours; the peer's chain stops at window/level) ----
    [Benchmark] public void Chain_Fluoro_Cpu2() => _chains[PipelineMode.Fluoro].Cpu2.Process(Next(), _output);
    [Benchmark] public void Chain_Fluoro_Cpu1() => _chains[PipelineMode.Fluoro].Cpu1.Process(Next(), _output);
    [Benchmark] public void Chain_Fluoro_OpenCl() => _chains[PipelineMode.Fluoro].OpenCl.Process(Next(), _output);
    [Benchmark] public void Chain_Fluoro_OpenCv() => _peer.FluoroChain();
    [Benchmark(Description = "Chain_Fluoro_OpenCl, transfers not overlapped (1 band)")]
    public void Chain_Fluoro_OpenClOneBand() => _fluoroOneBand.Process(Next(), _output);

    [Benchmark] public void Chain_Dsa_Cpu2() => _chains[PipelineMode.Dsa].Cpu2.Process(Next(), _output);
    [Benchmark] public void Chain_Dsa_Cpu1() => _chains[PipelineMode.Dsa].Cpu1.Process(Next(), _output);
    [Benchmark] public void Chain_Dsa_OpenCl() => _chains[PipelineMode.Dsa].OpenCl.Process(Next(), _output);
    [Benchmark] public void Chain_Dsa_OpenCv() => _peer.DsaChain();
    [Benchmark(Description = "Chain_Dsa_OpenCl, transfers not overlapped (1 band)")]
    public void Chain_Dsa_OpenClOneBand() => _dsaOneBand.Process(Next(), _output);

    [Benchmark] public void Chain_Cine_Cpu2() => _chains[PipelineMode.Cine].Cpu2.Process(Next(), _output);
    [Benchmark] public void Chain_Cine_Cpu1() => _chains[PipelineMode.Cine].Cpu1.Process(Next(), _output);
    [Benchmark] public void Chain_Cine_OpenCl() => _chains[PipelineMode.Cine].OpenCl.Process(Next(), _output);
    [Benchmark] public void Chain_Cine_OpenCv() => _peer.CineChain();

    [Benchmark] public void Chain_Roadmap_Cpu2() => _chains[PipelineMode.Roadmap].Cpu2.Process(Next(), _output);
    [Benchmark] public void Chain_Roadmap_Cpu1() => _chains[PipelineMode.Roadmap].Cpu1.Process(Next(), _output);
    [Benchmark] public void Chain_Roadmap_OpenCl() => _chains[PipelineMode.Roadmap].OpenCl.Process(Next(), _output);
    [Benchmark] public void Chain_Roadmap_OpenCv() => _peer.RoadmapChain();
}
