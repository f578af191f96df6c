using CathLab.FirmwareBridge.Abc;

namespace CathLab.FirmwareBridge.Tests.Abc;

public sealed class MeasuringFieldTests
{
    private const int Dark = 100;

    private static ushort[] Frame(int w, int h, Func<int, int, double> value)
    {
        var pixels = new ushort[w * h];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                pixels[y * w + x] = (ushort)Math.Clamp(Math.Round(value(x, y)), 0, 65535);
        return pixels;
    }

    private static MeasuringField Field() => new(new MeasuringFieldOptions { DarkLevel = Dark, FullScale = 16383 });

    [Fact]
    public void A_uniform_frame_reads_its_level_above_dark()
    {
        var reading = Field().Measure(Frame(256, 256, (_, _) => 1600), 256, 256);
        Assert.Equal(1500, reading.MeanAboveDark, 6);
        Assert.Equal(new PixelRect(0, 0, 256, 256), reading.OpenField);
    }

    [Fact]
    public void Collimator_blades_from_the_borders_are_found_and_left_out()
    {
        // Blades cover 200 px on the left, 100 on the right and 150 at the top; the open field is 1500 above dark.
        var pixels = Frame(1024, 1024, (x, y) => x < 200 || x >= 924 || y < 150 ? Dark + 30 : Dark + 1500);
        var reading = Field().Measure(pixels, 1024, 1024);
        Assert.Equal(new PixelRect(200, 150, 924, 1024), reading.OpenField);
        Assert.Equal(1500, reading.MeanAboveDark, 6);
    }

    [Fact]
    public void Direct_exposure_is_left_out_but_lead_inside_the_field_counts()
    {
        var field = Field();
        // Direct exposure (saturated) in the left quarter of the measuring field.
        var direct = Frame(512, 512, (x, _) => x < 200 ? 16383 : Dark + 1000);
        Assert.Equal(1000, field.Measure(direct, 512, 512).MeanAboveDark, 6);
        // Lead in the centre is as dark as a blade but does not touch a border: it darkens the reading.
        var lead = Frame(512, 512, (x, y) => Math.Abs(x - 256) < 64 && Math.Abs(y - 256) < 64 ? Dark + 5 : Dark + 1000);
        var reading = field.Measure(lead, 512, 512);
        Assert.Equal(new PixelRect(0, 0, 512, 512), reading.OpenField);
        Assert.True(reading.MeanAboveDark < 800);
    }

    [Fact]
    public void A_field_that_is_all_direct_exposure_reads_bright_not_empty()
    {
        var reading = Field().Measure(Frame(128, 128, (_, _) => 16383), 128, 128);
        Assert.True(reading.MeanAboveDark > 16000);
        Assert.Equal(1.0, reading.DirectFraction, 6);
    }

    [Theory]
    [InlineData(1023, 777)]
    [InlineData(17, 9)]
    [InlineData(3, 3)]
    public void Vector_and_scalar_paths_agree_on_odd_sizes(int w, int h)
    {
        var random = new Random(w * h);
        var pixels = Frame(w, h, (_, _) => random.Next(0, 16384));
        var open = new PixelRect(0, 0, w, h);
        var reading = Field().Measure(pixels, w, h, open);
        // Scalar reference over the same central field.
        int fw = Math.Max(1, (int)(w * 0.5)), fh = Math.Max(1, (int)(h * 0.5));
        int left = (w - fw) / 2, top = (h - fh) / 2;
        double sum = 0; int count = 0; double all = 0;
        ushort limit = (ushort)(0.85 * 16383);
        for (int y = top; y < top + fh; y++)
            for (int x = left; x < left + fw; x++)
            {
                ushort p = pixels[y * w + x];
                all += p;
                if (p < limit) { sum += p; count++; }
            }
        double expected = (count > fw * fh / 20 ? sum / count : all / (fw * fh)) - Dark;
        Assert.Equal(Math.Max(0, expected), reading.MeanAboveDark, 6);
        Assert.Equal(count, reading.CountedPixels);
    }

    [Fact]
    public void A_short_buffer_is_refused()
    {
        Assert.Throws<ArgumentException>(() => Field().Measure(new ushort[100], 20, 20));
        Assert.Throws<ArgumentException>(() => Field().Measure(new ushort[100], 0, 20));
    }

    [Fact]
    public void Measuring_a_full_frame_allocates_nothing()
    {
        var field = Field();
        var pixels = Frame(1024, 1024, (x, y) => Dark + 1000 + (x ^ y) % 300);
        field.Measure(pixels, 1024, 1024);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++) field.Measure(pixels, 1024, 1024);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
