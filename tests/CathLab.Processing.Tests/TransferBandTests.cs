using CathLab.Testing;
using CathLab.Processing.Calibration;
using CathLab.Processing.Display;
using CathLab.Processing.Filters;
using CathLab.Processing.Frames;
using CathLab.Processing.OpenCl;
using CathLab.Processing.Pipeline;
using CathLab.Processing.Tests.Synthetic;

namespace CathLab.Processing.Tests;

/// <summary>The OpenCL path's banded transfers (upload and download in row bands that overlap the kernels)
/// give the bytes of one upload and one download, and of the CPU path.</summary>
public sealed class TransferBandTests(ITestOutputHelper output)
{
    [Fact]
    public void Bands_cover_every_row_once_and_start_on_whole_downscale_blocks()
    {
        for (int height = FrameGeometry.MinSide; height <= 1100; height += 4)
            for (int requested = 1; requested <= TransferBands.Max; requested++)
            {
                var bands = new TransferBands(height, requested);
                Assert.InRange(bands.Count, 1, requested);
                int next = 0;
                for (int b = 0; b < bands.Count; b++)
                {
                    var (y0, y1) = bands.Rows(b);
                    Assert.Equal(next, y0);
                    Assert.True(y1 > y0, $"height {height}, {requested} bands: band {b} is empty");
                    Assert.Equal(0, y0 % TransferBands.RowMultiple);
                    next = y1;
                }
                Assert.Equal(height, next);
                Assert.Equal(Math.Min(requested, height / TransferBands.RowMultiple), bands.Count);
            }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(TransferBands.Max + 1)]
    public void A_transfer_band_count_out_of_range_is_refused_before_anything_opens(int bands)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() =>
            new FramePipeline(Chains.Identity(64, 64), new ProcessingParameters(), new PipelineOptions { Backend = BackendChoice.OpenCl, TransferBands = bands }));
        Assert.Contains("transfer bands", e.Message);
    }

    public static TheoryData<string> Chains8And16 => new() { "fluoro/2x", "cine/4x", "dsa/2x", "lut16" };

    [OpenClTheory]
    [MemberData(nameof(Chains8And16))]
    public void Any_band_count_gives_the_bytes_of_one_band_and_of_the_cpu(string chain)
    {
        // 196 rows, 49 blocks of 4: 4 bands of 48, 48, 48 and 52 rows; 3 of 64, 64, 68; 16 of 12 and 16.
        var g = new FrameGeometry(256, 196, 14);
        var calibration = Calibration(g);
        var p = Parameters(chain);
        var scene = new PhantomScene(g.Width, g.Height, seed: 9, darkLevel: 100);
        var frames = Enumerable.Range(0, 5).Select(f => scene.Noisy(scene.Expected(shiftX: 0.4 * f, contrast: f >= 2 ? 0.5 : 0, vesselOffset: 2 * f), 500 + f)).ToArray();

        var reference = Run(calibration, p, frames, new PipelineOptions { Backend = BackendChoice.Cpu });
        foreach (int bands in new[] { 1, 3, 4, TransferBands.Max })
        {
            var banded = Run(calibration, p, frames, new PipelineOptions { Backend = BackendChoice.OpenCl, TransferBands = bands });
            for (int f = 0; f < frames.Length; f++)
            {
                int differing = reference[f].Zip(banded[f]).Count(pair => pair.First != pair.Second);
                output.WriteLine($"{chain}, {bands} band(s), frame {f}: {differing} bytes differ from the CPU");
                Assert.True(differing == 0, $"{chain} with {bands} transfer band(s), frame {f}: {differing} bytes differ from the CPU path");
            }
        }
    }

    private static ProcessingParameters Parameters(string chain)
    {
        var gray8 = new ProcessingParameters
        {
            Unsharp = new UnsharpMaskSettings { KernelSize = 9, Gain = 0.8 },
            Display = new DisplaySettings { WindowCenter = 3000, WindowWidth = 5000, DownscaleFactor = 2 },
        };
        return chain switch
        {
            "fluoro/2x" => gray8 with { Mode = PipelineMode.Fluoro },
            "cine/4x" => gray8 with { Mode = PipelineMode.Cine, Display = gray8.Display with { DownscaleFactor = 4 }, Smoothing = new NoiseAwareSmoothingSettings { Enabled = true, Threshold = 2 } },
            "dsa/2x" => gray8 with { Mode = PipelineMode.Dsa, Subtraction = new SubtractionSettings { MaskFirst = 0, MaskLast = 1 } },
            _ => gray8 with { Mode = PipelineMode.Cine, Display = new DisplaySettings { Format = OutputFormat.Lut16, Lut = Chains.IdentityLut } },
        };
    }

    private static List<byte[]> Run(CalibrationData calibration, ProcessingParameters p, ushort[][] frames, PipelineOptions options)
    {
        using var pipeline = new FramePipeline(calibration, p, options);
        pipeline.BeginRun();
        return frames.Select(frame => Chains.Process(pipeline, frame)).ToList();
    }

    private static CalibrationData Calibration(FrameGeometry g) => Chains.Uneven(g, 11, (defects, rng) =>
    {
        for (int d = 0; d < 100; d++) defects.AddPixel(rng.Next(g.Width), rng.Next(g.Height));
        // A defective row on a band boundary (48 with 4 bands): its neighbours lie in two bands.
        defects.AddRow(48);
        defects.AddColumn(g.Width / 3);
    });
}
