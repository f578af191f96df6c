using CathLab.Processing.Cpu;

namespace CathLab.Processing.Tests;

/// <summary>The downscale's vector loops (512-bit steps of 128 bytes, 256-bit steps of 64, then single blocks)
/// give the rounded box mean of the definition, for widths that end in each loop.</summary>
public sealed unsafe class DownscalePassTests
{
    [Theory]
    [InlineData(1024, 2)]
    [InlineData(192, 2)]
    [InlineData(200, 2)]
    [InlineData(1024, 4)]
    [InlineData(136, 4)]
    public void Every_block_is_the_rounded_mean_of_its_pixels(int width, int factor)
    {
        const int height = 8;
        var rng = new Random(width + factor);
        var display = new byte[width * height + width * height / (factor * factor)];
        rng.NextBytes(display.AsSpan(0, width * height));
        // Extremes: an all-255 block and an all-0 one at the start.
        for (int dy = 0; dy < factor; dy++)
            for (int dx = 0; dx < factor; dx++) { display[dy * width + dx] = 255; display[dy * width + factor + dx] = 0; }
        fixed (byte* p = display)
        {
            var pass = new DownscalePass(width);
            pass.Prepare(p, p + width * height, factor);
            pass.Rows(0, height);
        }
        int rw = width / factor, n = factor * factor;
        for (int ry = 0; ry < height / factor; ry++)
            for (int rx = 0; rx < rw; rx++)
            {
                int sum = 0;
                for (int dy = 0; dy < factor; dy++)
                    for (int dx = 0; dx < factor; dx++) sum += display[(ry * factor + dy) * width + rx * factor + dx];
                Assert.True((sum + n / 2) / n == display[width * height + ry * rw + rx], $"block ({rx}, {ry}) of width {width}, factor {factor}");
            }
    }
}
