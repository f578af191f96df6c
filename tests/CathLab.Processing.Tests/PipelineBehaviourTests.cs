using CathLab.Testing;
using CathLab.Processing.Display;
using CathLab.Processing.Pipeline;
using CathLab.Processing.Tests.Synthetic;

namespace CathLab.Processing.Tests;

[CollectionDefinition(nameof(SerialCollection), DisableParallelization = true)]
public sealed class SerialCollection;

/// <summary>Pipeline behaviour: modes, remasking, roadmap, parameter changes between frames, allocation.</summary>
[Collection(nameof(SerialCollection))]
public sealed class PipelineBehaviourTests(ITestOutputHelper output)
{
    private const int Side = 256;

    [Fact]
    public void Remasking_after_the_run_uses_the_chosen_frames_without_reacquiring()
    {
        var scene = new PhantomScene(Side, Side);
        var background = scene.Expected();
        var vessel = scene.Expected(contrast: 0.4);
        // frames 0-2 no contrast, 3-5 contrast
        var frames = Enumerable.Range(0, 6).Select(f => scene.Noisy(f < 3 ? background : vessel, 50 + f)).ToArray();
        var p = Chains.Raw16(PipelineMode.Dsa) with { Subtraction = new SubtractionSettings { MaskFirst = 0, MaskLast = 1, Offset = 8192 } };
        using var pipeline = Chains.Create(Chains.Identity(Side, Side), p, BackendChoice.Cpu);
        pipeline.BeginRun();
        ushort[] live = [];
        foreach (var f in frames) live = Chains.Process16(pipeline, f);
        double Centre(ushort[] image) => Enumerable.Range(20, Side - 40).Average(y => (double)image[y * Side + (int)Math.Round(scene.VesselCentre(y, 0))]) - 8192;
        output.WriteLine($"live mask 0-1: vessel centre {Centre(live):F0} LSB");
        Assert.True(Centre(live) < -300, "with a pre-contrast mask the vessel shows");

        // Remask with contrast frames 3-4: the vessel in frame 5 now cancels.
        pipeline.Remask(new ArrayRun(frames), 3, 4);
        var remasked = Chains.Process16(pipeline, frames[5]);
        output.WriteLine($"remasked 3-4: vessel centre {Centre(remasked):F0} LSB");
        Assert.InRange(Centre(remasked), -30, 30);
    }

    [Fact]
    public void Roadmap_holds_the_peak_opacification_after_the_contrast_washes_out()
    {
        var scene = new PhantomScene(Side, Side);
        var background = scene.Expected();
        var p = Chains.Raw16(PipelineMode.Roadmap) with { Roadmap = new RoadmapSettings { OverlayGain = 4000 } };
        using var pipeline = Chains.Create(Chains.Identity(Side, Side), p, BackendChoice.Cpu);
        pipeline.BeginRun();
        int f = 0;
        for (; f < 3; f++) Chains.Process(pipeline, scene.Noisy(background, f));
        pipeline.Update(p with { Roadmap = p.Roadmap with { Phase = RoadmapPhase.Opacify } });
        foreach (var c in new[] { 0.1, 0.4, 0.2 }) Chains.Process(pipeline, scene.Noisy(scene.Expected(contrast: c), f++));
        pipeline.Update(p with { Roadmap = p.Roadmap with { Phase = RoadmapPhase.Overlay } });
        var overlay = Chains.Process16(pipeline, scene.Noisy(background, f++)); // contrast gone
        double vesselDrop = 0, farDrop = 0;
        int n = 0;
        for (int y = 20; y < Side - 20; y++, n++)
        {
            int x = (int)Math.Round(scene.VesselCentre(y, 0));
            vesselDrop += background[y * Side + x] - overlay[y * Side + x];
            farDrop += background[y * Side + x + 40] - overlay[y * Side + x + 40];
        }
        vesselDrop /= n;
        farDrop /= n;
        output.WriteLine($"overlay darkens the vessel by {vesselDrop:F0} LSB (peak 0.4 x 4000 = 1600 expected), background by {farDrop:F0}");
        Assert.InRange(vesselDrop, 1400, 1800);
        Assert.InRange(farDrop, -150, 150);
    }

    [Fact]
    public async Task Parameter_changes_take_effect_at_the_next_frame()
    {
        var frame = new PhantomScene(Side, Side).Noisy(new PhantomScene(Side, Side).Expected(), 1);
        var p = new ProcessingParameters { Mode = PipelineMode.Cine, Display = new DisplaySettings { WindowCenter = 2000, WindowWidth = 4000 } };
        using var pipeline = Chains.Create(Chains.Identity(Side, Side), p, BackendChoice.Cpu);
        var a = Chains.Process(pipeline, frame);
        pipeline.Update(p with { Display = p.Display with { WindowCenter = 1000, WindowWidth = 500 } });
        var b = Chains.Process(pipeline, frame);
        Assert.NotEqual(a, b);
        Assert.True(b.Count(v => v == 255) > a.Count(v => v == 255));

        // Changes from another thread while frames flow: every frame completes, no pause, no torn parameters.
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var updater = Task.Run(() =>
        {
            for (int i = 0; i < 200 && !stop.IsCancellationRequested; i++)
                pipeline.Update(p with { Display = p.Display with { WindowCenter = 1000 + i }, Unsharp = new Filters.UnsharpMaskSettings { KernelSize = 3 + 2 * (i % 15) } });
        });
        var output8 = new byte[pipeline.Layout.TotalBytes];
        for (int i = 0; i < 50; i++) pipeline.Process(frame, output8);
        await updater.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Theory]
    [InlineData(PipelineMode.Fluoro, BackendChoice.Cpu)]
    [InlineData(PipelineMode.Dsa, BackendChoice.Cpu)]
    [OpenClInlineData(PipelineMode.Fluoro, BackendChoice.OpenCl)]
    [OpenClInlineData(PipelineMode.Dsa, BackendChoice.OpenCl)]
    public void Steady_state_frames_allocate_nothing(PipelineMode mode, BackendChoice backend)
    {
        var scene = new PhantomScene(Side, Side);
        var frame = scene.Noisy(scene.Expected(), 3);
        var p = new ProcessingParameters
        {
            Mode = mode,
            Subtraction = new SubtractionSettings { MaskFirst = 0, MaskLast = 1 },
            Display = new DisplaySettings { DownscaleFactor = 2 },
            Smoothing = new Filters.NoiseAwareSmoothingSettings { Enabled = true },
        };
        using var pipeline = Chains.Create(Chains.Identity(Side, Side), p, backend);
        var buffer = new byte[pipeline.Layout.TotalBytes];
        pipeline.BeginRun();
        // Warm up past tiered compilation (whose background JIT work is counted by the precise total too).
        for (int i = 0; i < 60; i++) pipeline.Process(frame, buffer);
        Thread.Sleep(500);
        for (int i = 0; i < 60; i++) pipeline.Process(frame, buffer);
        // Counted on the processing thread and on the CPU path's band workers: the process-wide total also
        // counts the test runner's own threads.
        long before = GC.GetAllocatedBytesForCurrentThread(), workersBefore = pipeline.WorkerAllocatedBytes;
        long totalBefore = GC.GetTotalAllocatedBytes(precise: true);
        for (int i = 0; i < 100; i++)
        {
            pipeline.Process(frame, buffer);
            if (i % 10 == 0) Thread.Sleep(20); // idle gaps as between fluoro pulses: workers block and wake
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before, workers = pipeline.WorkerAllocatedBytes - workersBefore;
        output.WriteLine($"{pipeline.Backend}: {allocated} bytes allocated by the processing thread and {workers} by band workers over 100 frames; process-wide {GC.GetTotalAllocatedBytes(precise: true) - totalBefore}");
        Assert.Equal(0, allocated);
        Assert.Equal(0, workers);
    }

    [Fact]
    public void Without_an_opencl_platform_the_pipeline_falls_back_to_the_cpu_and_says_so_once()
    {
        FramePipeline.ForgetFallbackReport();
        var log = new List<string>();
        var options = new PipelineOptions { Backend = BackendChoice.Auto, Log = log.Add, HideOpenCl = true };
        using var first = new FramePipeline(Chains.Identity(Side, Side), new ProcessingParameters(), options);
        using var second = new FramePipeline(Chains.Identity(Side, Side), new ProcessingParameters(), options);
        Assert.False(first.UsesOpenCl);
        Assert.False(second.UsesOpenCl);
        Assert.NotNull(first.FallbackReason);
        var message = Assert.Single(log);
        Assert.Contains("CPU", message);
        Assert.Throws<InvalidOperationException>(() => new FramePipeline(Chains.Identity(Side, Side), new ProcessingParameters(), options with { Backend = BackendChoice.OpenCl }));
    }

    [Fact]
    public void Cpu_only_pipeline_reports_its_backend()
    {
        using var pipeline = Chains.Create(Chains.Identity(Side, Side), new ProcessingParameters(), BackendChoice.Cpu);
        Assert.StartsWith("CPU", pipeline.Backend);
        Assert.False(pipeline.UsesOpenCl);
    }

    [OpenClFact]
    public void Auto_backend_uses_opencl_when_present()
    {
        var log = new List<string>();
        using var pipeline = Chains.Create(Chains.Identity(Side, Side), new ProcessingParameters(), BackendChoice.Auto, log);
        output.WriteLine(pipeline.Backend);
        Assert.True(pipeline.UsesOpenCl, $"no OpenCL platform found: {pipeline.FallbackReason}");
        Assert.Empty(log);
    }
}
