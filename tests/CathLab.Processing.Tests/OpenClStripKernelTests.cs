using CathLab.Testing;
using CathLab.Processing.Display;
using CathLab.Processing.Filters;
using CathLab.Processing.Frames;
using CathLab.Processing.Pipeline;
using CathLab.Processing.Tests.Synthetic;

namespace CathLab.Processing.Tests;

/// <summary>The OpenCL display kernels work on 16-pixel strips, run the column sums down 32-row bands and
/// replicate edges through a padded column-sum buffer: on frames whose width is no power of two (an odd
/// number of strips per row), whose height is no multiple of the band, and as narrow as the box is wide,
/// they give the CPU's bytes exactly, for smoothing, every box size, both outputs and both downscales.</summary>
public sealed class OpenClStripKernelTests(ITestOutputHelper output)
{
    // Noise over the whole 14-bit range with bright and dark frame sides, so edge replication and the
    // smoothing threshold both matter.
    private static ushort[] Frame(FrameGeometry g, int seed)
    {
        var rng = new Random(seed);
        var frame = new ushort[g.PixelCount];
        for (int y = 0; y < g.Height; y++)
            for (int x = 0; x < g.Width; x++)
            {
                int level = x < 3 ? 15000 : x >= g.Width - 3 ? 200 : y < 2 ? 12000 : 4000 + 40 * ((x + 2 * y) % 64);
                frame[y * g.Width + x] = (ushort)Math.Clamp(level + rng.Next(-300, 301), 0, 16383);
            }
        return frame;
    }

    private void AssertSameBytes(FrameGeometry g, ProcessingParameters p)
    {
        var calibration = Chains.Identity(g.Width, g.Height, g.BitsStored);
        using var cpu = Chains.Create(calibration, p, BackendChoice.Cpu);
        using var openCl = Chains.Create(calibration, p, BackendChoice.OpenCl);
        cpu.BeginRun();
        openCl.BeginRun();
        for (int f = 0; f < 2; f++)
        {
            var raw = Frame(g, 11 + f);
            var expected = Chains.Process(cpu, raw);
            var actual = Chains.Process(openCl, raw);
            int differing = expected.Zip(actual).Count(pair => pair.First != pair.Second);
            output.WriteLine($"{g.Width}x{g.Height} frame {f}: {differing} of {expected.Length} output bytes differ");
            Assert.Equal(expected, actual);
        }
    }

    public static TheoryData<int, int, int, int> Geometries => new()
    {
        // width, height, unsharp kernel size, downscale factor
        { 208, 100, 9, 2 },
        { 208, 100, 31, 4 },
        { 64, 68, 31, 2 },
        { 80, 76, 3, 4 },
        { 112, 132, 15, 1 },
    };

    [OpenClTheory]
    [MemberData(nameof(Geometries))]
    public void Gray8_with_smoothing_matches_the_cpu_byte_for_byte(int width, int height, int kernel, int downscale)
    {
        AssertSameBytes(new FrameGeometry(width, height, 14), new ProcessingParameters
        {
            Mode = PipelineMode.Cine,
            Smoothing = new NoiseAwareSmoothingSettings { Enabled = true, Threshold = 2 },
            Unsharp = new UnsharpMaskSettings { KernelSize = kernel, Gain = 1.5 },
            Display = new DisplaySettings { WindowCenter = 6000, WindowWidth = 12000, DownscaleFactor = downscale },
        });
    }

    [OpenClTheory]
    [MemberData(nameof(Geometries))]
    public void Lut16_matches_the_cpu_byte_for_byte(int width, int height, int kernel, int downscale)
    {
        _ = downscale;
        var lut = Enumerable.Range(0, 65536).Select(i => (ushort)(65535 - i / 2)).ToArray();
        AssertSameBytes(new FrameGeometry(width, height, 14), new ProcessingParameters
        {
            Mode = PipelineMode.Cine,
            Unsharp = new UnsharpMaskSettings { KernelSize = kernel, Gain = 3 },
            Display = new DisplaySettings { Format = OutputFormat.Lut16, Lut = lut },
        });
    }

    // Every box radius, 1 to 15: the strip prefix sums take the neighbouring strips' totals for the lanes whose
    // box reaches past their strip, which depends on the radius lane by lane.
    [OpenClFact]
    public void Every_box_size_matches_the_cpu_byte_for_byte()
    {
        for (int kernel = UnsharpMaskSettings.MinKernel; kernel <= UnsharpMaskSettings.MaxKernel; kernel += 2)
            AssertSameBytes(new FrameGeometry(80, 64, 14), new ProcessingParameters
            {
                Mode = PipelineMode.Cine,
                Unsharp = new UnsharpMaskSettings { KernelSize = kernel, Gain = 4 },
                Display = new DisplaySettings { WindowCenter = 6000, WindowWidth = 12000 },
            });
    }

    [OpenClFact]
    public void Sharpening_off_passes_the_frame_through_the_window()
    {
        AssertSameBytes(new FrameGeometry(208, 100, 14), new ProcessingParameters
        {
            Mode = PipelineMode.Cine,
            Unsharp = new UnsharpMaskSettings { Gain = 0 },
            Display = new DisplaySettings { WindowCenter = 6000, WindowWidth = 12000, DownscaleFactor = 2 },
        });
    }
}
