using CathLab.LiveFeed.Tests.Support;
using CathLab.Sims.Detector;
using CathLab.Video.Quality;

namespace CathLab.Video.Tests;

/// <summary>Simulator display frames through libvpx and back: the decoded picture is the display frame within a
/// quality bound, at a bitrate near the one asked for.</summary>
public sealed class RoundTripTests
{
    internal static readonly Lazy<SimulatedFrameSet> Frames512 = new(() => SimulatedFrameSet.Render(DetectorMode.Binned512, 8));

    [Theory]
    [InlineData(VideoCodec.Vp8)]
    [InlineData(VideoCodec.Vp9)]
    public void Decoded_frames_match_the_display_frames(VideoCodec codec)
    {
        var frames = Frames512.Value;
        var settings = new VideoEncoderSettings { Codec = codec, Width = 512, Height = 512, TargetKbps = 1000, FramesPerSecond = 15 };
        using var encoder = new VideoEncoder(settings);
        using var decoder = new VideoDecoder(codec);
        var picture = new byte[512 * 512];
        var ssim = new List<double>();
        var psnr = new List<double>();
        for (int i = 0; i < 24; i++)
        {
            var display = frames.Display[i % frames.Count];
            var encoded = encoder.Encode(display);
            Assert.Equal(i == 0, encoded.IsKeyFrame);
            var result = decoder.Decode(encoded.Span, picture);
            encoded.Release();
            Assert.True(result.HasPicture, result.Reason);
            Assert.Equal((512, 512), (result.Width, result.Height));
            if (i < 8) continue;
            ssim.Add(Ssim.Compute(display, picture, 512, 512));
            psnr.Add(Psnr.Compute(display, picture));
        }
        Assert.True(ssim.Average() > 0.9 && ssim.Min() > 0.8, $"{codec}: SSIM mean {ssim.Average():0.000}, worst {ssim.Min():0.000}");
        Assert.True(psnr.Average() > 30, $"{codec}: mean PSNR {psnr.Average():0.0} dB");
    }
}
