using CathLab.Testing;
using CathLab.Processing.Calibration;
using CathLab.Processing.Display;
using CathLab.Processing.Filters;
using CathLab.Processing.Frames;
using CathLab.Processing.Pipeline;
using CathLab.Processing.Subtraction;
using CathLab.Processing.Tests.Synthetic;

namespace CathLab.Processing.Tests;

/// <summary>The CPU and OpenCL paths agree within 1 LSB on the same input, for every chain and output.
/// Runs on whatever OpenCL platform the machine has (PoCL in CI); a machine without one fails these
/// tests unless CATHLAB_NO_OPENCL=1.</summary>
public sealed class BackendAgreementTests(ITestOutputHelper output)
{
    // A calibration with every feature in use: uneven dark and gain, isolated defects, a defective column and row.
    private static CalibrationData Calibration(FrameGeometry g) => Chains.Uneven(g, 42, (defects, rng) =>
    {
        for (int d = 0; d < 200; d++) defects.AddPixel(rng.Next(g.Width), rng.Next(g.Height));
        defects.AddColumn(g.Width / 3);
        defects.AddRow(g.Height / 5);
        defects.AddPixel(0, 0);
        defects.AddPixel(g.Width - 1, g.Height - 1);
    });

    private static ushort[][] Frames(int side, int count, double contrast, double offsetStep = 0)
    {
        var scene = new PhantomScene(side, side, seed: 3, darkLevel: 100);
        return Enumerable.Range(0, count)
            .Select(f => scene.Noisy(scene.Expected(shiftX: 0.3 * f, contrast: f >= count / 2 ? contrast : 0, vesselOffset: offsetStep * f), 7000 + f))
            .ToArray();
    }

    private void Compare(int side, ProcessingParameters first, IReadOnlyList<ushort[]> frames, Func<int, ProcessingParameters>? parametersAt = null, Action<FramePipeline>? afterFrame2 = null)
    {
        var g = new FrameGeometry(side, side, 14);
        var calibration = Calibration(g);
        using var cpu = Chains.Create(calibration, first, BackendChoice.Cpu);
        using var gpu = Chains.Create(calibration, first, BackendChoice.OpenCl);
        output.WriteLine($"{cpu.Backend} vs {gpu.Backend}");
        cpu.BeginRun();
        gpu.BeginRun();
        int worst = 0;
        for (int f = 0; f < frames.Count; f++)
        {
            if (parametersAt is not null) { cpu.Update(parametersAt(f)); gpu.Update(parametersAt(f)); }
            if (f == 2 && afterFrame2 is not null) { afterFrame2(cpu); afterFrame2(gpu); }
            var a = Chains.Process(cpu, frames[f]);
            var b = Chains.Process(gpu, frames[f]);
            Assert.Equal(a.Length, b.Length);
            var layout = cpu.Layout;
            int diff = 0, count = 0;
            if (layout.Format == OutputFormat.Lut16)
            {
                var a16 = layout.Display16(a);
                var b16 = layout.Display16(b);
                for (int i = 0; i < a16.Length; i++) { int d = Math.Abs(a16[i] - b16[i]); diff = Math.Max(diff, d); if (d > 0) count++; }
            }
            else
            {
                for (int i = 0; i < a.Length; i++) { int d = Math.Abs(a[i] - b[i]); diff = Math.Max(diff, d); if (d > 0) count++; }
            }
            output.WriteLine($"frame {f}: max |CPU - OpenCL| = {diff} LSB, {count} pixels differ");
            Assert.True(diff <= 1, $"frame {f}: CPU and OpenCL differ by {diff} LSB ({count} pixels differ)");
            worst = Math.Max(worst, diff);
        }
        output.WriteLine($"worst difference {worst} LSB");
    }

    private static ProcessingParameters Gray8(PipelineMode mode, int downscale = 1) => new()
    {
        Mode = mode,
        Display = new DisplaySettings { WindowCenter = 3000, WindowWidth = 5000, DownscaleFactor = downscale },
        Unsharp = new UnsharpMaskSettings { KernelSize = 9, Gain = 0.8 },
    };

    [OpenClFact]
    public void Fluoro_chain_agrees_with_downscale()
    {
        Compare(256, Gray8(PipelineMode.Fluoro, 2), Frames(256, 10, 0.5, offsetStep: 3));
    }

    [OpenClFact]
    public void Fluoro_chain_agrees_at_1024_with_smoothing()
    {
        Compare(1024, Gray8(PipelineMode.Fluoro) with { Smoothing = new NoiseAwareSmoothingSettings { Enabled = true, Threshold = 2 } }, Frames(1024, 4, 0.5));
    }

    [OpenClFact]
    public void Cine_chain_agrees_with_16_bit_lut_and_large_kernel()
    {
        var gamma = Enumerable.Range(0, 65536).Select(i => (ushort)Math.Round(65535 * Math.Pow(i / 65535.0, 0.8))).ToArray();
        var p = Gray8(PipelineMode.Cine) with
        {
            Unsharp = new UnsharpMaskSettings { KernelSize = 31, Gain = 2 },
            Display = new DisplaySettings { Format = OutputFormat.Lut16, Lut = Chains.IdentityLut },
        };
        Compare(256, p, Frames(256, 3, 0.4));
        Compare(256, p with { Display = p.Display with { Lut = gamma } }, Frames(256, 2, 0.4));
    }

    [OpenClFact]
    public void Cine_chain_agrees_with_4x_downscale_and_parameter_changes_between_frames()
    {
        var p = Gray8(PipelineMode.Cine, 4);
        Compare(256, p, Frames(256, 6, 0.4), f => p with
        {
            Display = p.Display with { WindowCenter = 2000 + 300 * f, WindowWidth = 1000 + 500 * f },
            Unsharp = new UnsharpMaskSettings { KernelSize = 3 + 2 * f, Gain = 0.5 * f },
        });
    }

    [OpenClFact]
    public void Dsa_chain_agrees_with_shift_and_remask()
    {
        var frames = Frames(256, 8, 0.4);
        var p = Gray8(PipelineMode.Dsa) with { Subtraction = new SubtractionSettings { MaskFirst = 0, MaskLast = 2, Shift = new PixelShift(1.3, -0.6) } };
        Compare(256, p, frames, f => f < 5 ? p : p with { Subtraction = p.Subtraction with { Shift = new PixelShift(-2, 0.25) } });
        Compare(256, p, frames, afterFrame2: pipeline => pipeline.Remask(new ArrayRun(frames), 4, 5));
    }

    [OpenClFact]
    public void Roadmap_chain_agrees_through_its_phases()
    {
        var p = Gray8(PipelineMode.Roadmap);
        Compare(256, p, Frames(256, 9, 0.5, offsetStep: 0.5), f => p with
        {
            Roadmap = new RoadmapSettings { Phase = f < 3 ? RoadmapPhase.Mask : f < 6 ? RoadmapPhase.Opacify : RoadmapPhase.Overlay },
        });
    }
}
