using CathLab.Testing;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using CathLab.Processing.Cpu;
using CathLab.Processing.Display;
using CathLab.Processing.Filters;
using CathLab.Processing.Pipeline;

namespace CathLab.Processing.Tests;

/// <summary>The CPU unsharp + display pass against a naive definition (every box sum added up pixel by pixel,
/// the float operations in display.cl's order) for every allowed kernel size, both outputs, the 512-bit and the
/// 256-bit code, and rows taken in two bands so the column sums also start afresh mid-frame.</summary>
public sealed unsafe class DisplayPassTests(ITestOutputHelper output)
{
    private const float Gain = 1.25f, Low = 1500f, Scale = 255f / 5000f;

    private static bool WideAvailable => Vector512.IsHardwareAccelerated && Avx512F.IsSupported;

    private static IEnumerable<bool> Widths() => WideAvailable ? [true, false] : [false];

    private static ushort[] Source(int width, int height, int seed, int min, int max)
    {
        var rng = new Random(seed);
        var source = new ushort[width * height];
        for (int i = 0; i < source.Length; i++) source[i] = (ushort)rng.Next(min, max + 1);
        // A bright block and a dark line: edges for the mask to work on.
        for (int y = height / 4; y < height / 2; y++)
            for (int x = width / 3; x < width / 2; x++) source[y * width + x] = (ushort)max;
        for (int x = 0; x < width; x++) source[(height * 3 / 4) * width + x] = (ushort)min;
        return source;
    }

    private static ushort[] Lut()
    {
        var lut = new ushort[65536];
        for (int i = 0; i < lut.Length; i++) lut[i] = (ushort)((i * 7919 + 13) & 0xFFFF);
        return lut;
    }

    private static ChainConstants Constants(int kernel, float gain, OutputFormat format) => new()
    {
        BoxRadius = kernel / 2,
        UnsharpGain = gain,
        InverseBoxArea = 1f / (kernel * kernel),
        Format = format,
        WindowLow = Low,
        WindowScale = Scale,
        DownscaleFactor = 1,
    };

    // The definition: box sum over the k x k square with edges replicated, then display.cl's float operations.
    private static byte[] Naive(ushort[] source, int width, int height, ushort[] lut, in ChainConstants k)
    {
        int r = k.BoxRadius, pixelBytes = k.Format == OutputFormat.Lut16 ? 2 : 1;
        var result = new byte[width * height * pixelBytes];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                float v = source[y * width + x];
                if (k.UnsharpGain != 0f)
                {
                    int box = 0;
                    for (int dy = -r; dy <= r; dy++)
                        for (int dx = -r; dx <= r; dx++)
                            box += source[Math.Clamp(y + dy, 0, height - 1) * width + Math.Clamp(x + dx, 0, width - 1)];
                    float blur = box * k.InverseBoxArea;
                    float difference = v - blur;
                    float scaled = k.UnsharpGain * difference;
                    v += scaled;
                }
                int i = y * width + x;
                if (k.Format == OutputFormat.Gray8)
                {
                    float shifted = v - k.WindowLow;
                    float windowed = shifted * k.WindowScale;
                    result[i] = (byte)(int)(Math.Min(Math.Max(windowed, 0f), 255f) + 0.5f);
                }
                else
                {
                    ushort value = lut[(int)(Math.Min(Math.Max(v, 0f), 65535f) + 0.5f)];
                    result[2 * i] = (byte)value;
                    result[2 * i + 1] = (byte)(value >> 8);
                }
            }
        return result;
    }

    // Two bands: band 1 starts mid-frame, so its first row builds the column sums afresh.
    private static byte[] Pass(ushort[] source, int width, int height, ushort[] lut, in ChainConstants k, bool wide)
    {
        var pass = new DisplayPass(width, height, 2, wide);
        Assert.Equal(wide, pass.Wide);
        var result = new byte[width * height * (k.Format == OutputFormat.Lut16 ? 2 : 1)];
        fixed (byte* o = result)
        {
            pass.Prepare(source, o, lut, k);
            pass.Execute(0, 0, height / 2);
            pass.Execute(1, height / 2, height);
        }
        return result;
    }

    private static int FirstDifference(byte[] a, byte[] b)
    {
        Assert.Equal(a.Length, b.Length);
        for (int i = 0; i < a.Length; i++) if (a[i] != b[i]) return i;
        return -1;
    }

    public static TheoryData<OutputFormat> Formats() => new() { OutputFormat.Gray8, OutputFormat.Lut16 };

    [Theory]
    [MemberData(nameof(Formats))]
    public void Every_kernel_size_gives_the_naive_definition_exactly(OutputFormat format)
    {
        // 80 columns: a multiple of 16, not of 32; rows fewer than the largest kernel too.
        foreach (var (width, height) in new[] { (80, 48), (64, 20) })
        {
            var source = Source(width, height, seed: width, min: 0, max: 16383);
            var lut = Lut();
            for (int kernel = UnsharpMaskSettings.MinKernel; kernel <= UnsharpMaskSettings.MaxKernel; kernel += 2)
            {
                var k = Constants(kernel, Gain, format);
                var expected = Naive(source, width, height, lut, k);
                foreach (bool wide in Widths())
                {
                    int at = FirstDifference(expected, Pass(source, width, height, lut, k, wide));
                    Assert.True(at < 0, $"{width}x{height}, kernel {kernel}, {(wide ? 512 : 256)}-bit, {format}: first difference at byte {at}");
                }
            }
            output.WriteLine($"{width}x{height} {format}: kernels {UnsharpMaskSettings.MinKernel}..{UnsharpMaskSettings.MaxKernel} match, {string.Join(" and ", Widths().Select(w => w ? "512-bit" : "256-bit"))}");
        }
    }

    [Fact]
    public void Running_sums_that_wrap_around_still_give_exact_box_sums()
    {
        // 2048 columns of near full-scale 16-bit values under a 31 x 31 box: the running sums along a row pass
        // 2^31 (about 2048 columns x 31 rows x 62000) and wrap, the box sums themselves stay far below 2^31.
        const int width = 2048, height = 40;
        var source = Source(width, height, seed: 5, min: 60000, max: 65535);
        var lut = Lut();
        var k = Constants(31, 0.75f, OutputFormat.Lut16) with { WindowLow = 0f };
        var expected = Naive(source, width, height, lut, k);
        foreach (bool wide in Widths())
            Assert.Equal(-1, FirstDifference(expected, Pass(source, width, height, lut, k, wide)));
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void Gain_zero_passes_the_pixels_through_the_window_or_lut_only(OutputFormat format)
    {
        const int width = 96, height = 24;
        var source = Source(width, height, seed: 9, min: 0, max: 65535);
        var lut = Lut();
        var k = Constants(9, 0f, format);
        var expected = Naive(source, width, height, lut, k);
        foreach (bool wide in Widths())
            Assert.Equal(-1, FirstDifference(expected, Pass(source, width, height, lut, k, wide)));
    }

    /// <summary>The 512-bit path clamps by saturating packs where (v - low) * scale surely fits an int; a scale far
    /// beyond the settings' limits (values past 2^31, where the truncating convert gives int.MinValue) must take
    /// the float clamps instead and still give 255 for bright pixels, 0 for dark ones.</summary>
    [Theory]
    [InlineData(1e6f, 1500f)]
    [InlineData(-1e6f, 1500f)]
    [InlineData(255f, -131072f)]
    public void A_window_beyond_int_range_still_clamps_to_0_and_255(float scale, float low)
    {
        const int width = 128, height = 24;
        var source = Source(width, height, seed: 3, min: 0, max: 16383);
        var k = Constants(9, 8f, OutputFormat.Gray8) with { WindowScale = scale, WindowLow = low };
        var expected = Naive(source, width, height, [], k);
        Assert.Contains(expected, b => b == 255);
        foreach (bool wide in Widths())
            Assert.Equal(-1, FirstDifference(expected, Pass(source, width, height, [], k, wide)));
    }

    private static void Prepare(DisplayPass pass, ushort[] source, byte[] output, ushort[]? lut, in ChainConstants k)
    {
        fixed (byte* o = output) pass.Prepare(source, o, lut, k);
    }

    [Fact]
    public void A_16_bit_output_without_a_full_lut_is_refused_before_any_lookup()
    {
        var source = new ushort[64 * 8];
        var output = new byte[64 * 8 * 2];
        var k = Constants(9, Gain, OutputFormat.Lut16);
        foreach (bool wide in Widths())
            foreach (var lut in new[] { null, new ushort[100] })
            {
                var pass = new DisplayPass(64, 8, 1, wide);
                var e = Assert.Throws<ArgumentException>(() => Prepare(pass, source, output, lut, k));
                Assert.Contains("65536-entry LUT", e.Message);
            }
        Assert.All(output, b => Assert.Equal(0, b));
    }

    [Avx512Fact]
    public void The_512_bit_and_256_bit_paths_give_identical_frames()
    {
        Assert.True(new DisplayPass(64, 64, 1).Wide, "the default pass should use 512-bit vectors where the CPU has them");
        const int width = 1024, height = 256;
        var source = Source(width, height, seed: 21, min: 1000, max: 15000);
        var lut = Lut();
        foreach (var format in new[] { OutputFormat.Gray8, OutputFormat.Lut16 })
            foreach (int kernel in new[] { 3, 9, 31 })
            {
                var k = Constants(kernel, 0.5f * kernel / 3, format);
                int at = FirstDifference(Pass(source, width, height, lut, k, wide: true), Pass(source, width, height, lut, k, wide: false));
                Assert.True(at < 0, $"kernel {kernel}, {format}: 512-bit and 256-bit differ first at byte {at}");
            }
    }
}
