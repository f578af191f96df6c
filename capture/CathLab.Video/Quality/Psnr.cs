namespace CathLab.Video.Quality;

/// <summary>Peak signal-to-noise ratio of two 8-bit pictures in dB (infinity when identical).</summary>
public static class Psnr
{
    public static double Compute(ReadOnlySpan<byte> reference, ReadOnlySpan<byte> test)
    {
        if (test.Length != reference.Length) throw new ArgumentException("pictures of different sizes");
        long squared = 0;
        for (int i = 0; i < reference.Length; i++)
        {
            int d = reference[i] - test[i];
            squared += d * d;
        }
        if (squared == 0) return double.PositiveInfinity;
        return 10 * Math.Log10(255.0 * 255.0 * reference.Length / squared);
    }
}
