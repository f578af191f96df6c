using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using CathLab.Testing;
using CathLab.Video.Quality;

namespace CathLab.Video.Tests;

/// <summary>Our SSIM against an independent one: ffmpeg's ssim filter (8×8 windows every 4 pixels, the standard
/// constants), on a display frame and two degraded copies of it.</summary>
public sealed partial class SsimTests
{
    [Theory]
    [InlineData("noise")]
    [InlineData("blur")]
    public void Ssim_agrees_with_ffmpegs_ssim_filter(string degradation)
    {
        var reference = RoundTripTests.Frames512.Value.Display[0];
        var degraded = degradation == "noise" ? Noisy(reference) : Blurred(reference, 512);
        using var directory = new TempDirectory();
        string a = WritePgm(directory.File("a.pgm"), reference), b = WritePgm(directory.File("b.pgm"), degraded);
        var run = ExternalTool.Run("ffmpeg", "-hide_banner", "-i", a, "-i", b, "-lavfi", "ssim", "-f", "null", "-");
        var match = FfmpegSsim().Match(run.StdErr);
        Assert.True(match.Success, run.All);
        double theirs = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        double ours = Ssim.Compute(reference, degraded, 512, 512);
        Assert.InRange(theirs, 0.05, 0.99);
        Assert.True(Math.Abs(ours - theirs) < 0.005, $"ours {ours:0.0000}, ffmpeg's {theirs:0.0000}");
    }

    [Fact]
    public void Ssim_is_one_for_identical_pictures()
    {
        var a = RoundTripTests.Frames512.Value.Display[0];
        Assert.Equal(1.0, Ssim.Compute(a, (byte[])a.Clone(), 512, 512), 9);
    }

    private static byte[] Noisy(byte[] pixels)
    {
        var random = new Random(3);
        return pixels.Select(p => (byte)Math.Clamp(p + random.Next(-20, 21), 0, 255)).ToArray();
    }

    private static byte[] Blurred(byte[] pixels, int side)
    {
        var result = new byte[pixels.Length];
        for (int y = 0; y < side; y++)
            for (int x = 0; x < side; x++)
            {
                int sum = 0;
                for (int dy = -1; dy <= 1; dy++)
                    for (int dx = -1; dx <= 1; dx++) sum += pixels[Math.Clamp(y + dy, 0, side - 1) * side + Math.Clamp(x + dx, 0, side - 1)];
                result[y * side + x] = (byte)((sum + 4) / 9);
            }
        return result;
    }

    private static string WritePgm(string path, byte[] pixels)
    {
        File.WriteAllBytes(path, [.. Encoding.ASCII.GetBytes("P5 512 512 255\n"), .. pixels]);
        return path;
    }

    [GeneratedRegex(@"SSIM Y:([0-9.]+)")]
    private static partial Regex FfmpegSsim();
}
