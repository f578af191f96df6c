namespace CathLab.Video.Quality;

/// <summary>Structural similarity (Wang, Bovik, Sheikh and Simoncelli, 2004) of two 8-bit grey pictures: the mean of
/// SSIM over 8×8 windows placed every 4 pixels, with uniform weights and the standard constants
/// C1 = (0.01·255)², C2 = (0.03·255)². 1 is identical.</summary>
public static class Ssim
{
    private const int Window = 8;
    private const int Step = 4;
    private const double C1 = 0.01 * 255 * (0.01 * 255);
    private const double C2 = 0.03 * 255 * (0.03 * 255);

    public static double Compute(ReadOnlySpan<byte> reference, ReadOnlySpan<byte> test, int width, int height)
    {
        if (width < Window || height < Window) throw new ArgumentOutOfRangeException(nameof(width), $"{width}×{height} is smaller than one {Window}×{Window} window");
        if (reference.Length < width * height || test.Length < width * height) throw new ArgumentException("a picture is shorter than width × height");
        double total = 0;
        int windows = 0;
        const double n = Window * Window;
        for (int y = 0; y + Window <= height; y += Step)
        {
            for (int x = 0; x + Window <= width; x += Step)
            {
                long sumA = 0, sumB = 0, sumAA = 0, sumBB = 0, sumAB = 0;
                for (int j = 0; j < Window; j++)
                {
                    var a = reference.Slice((y + j) * width + x, Window);
                    var b = test.Slice((y + j) * width + x, Window);
                    for (int i = 0; i < Window; i++)
                    {
                        int p = a[i], q = b[i];
                        sumA += p;
                        sumB += q;
                        sumAA += p * p;
                        sumBB += q * q;
                        sumAB += p * q;
                    }
                }
                double meanA = sumA / n, meanB = sumB / n;
                double varA = sumAA / n - meanA * meanA, varB = sumBB / n - meanB * meanB, cov = sumAB / n - meanA * meanB;
                total += (2 * meanA * meanB + C1) * (2 * cov + C2) / ((meanA * meanA + meanB * meanB + C1) * (varA + varB + C2));
                windows++;
            }
        }
        return total / windows;
    }
}
