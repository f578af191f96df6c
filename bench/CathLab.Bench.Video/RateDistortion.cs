using CathLab.Bench.LiveFeed;
using CathLab.Video;
using CathLab.Video.Quality;
using OpenCvSharp;

namespace CathLab.Bench.Video;

/// <summary>One encoding of one sequence at one size: mean bytes per frame, SSIM against the display frame (mean
/// and worst), and encode CPU time per frame on the calling thread (one core).</summary>
internal sealed record RateDistortionRow(string Sequence, int Side, string Codec, string Setting, double BytesPerFrame, double SsimMean, double SsimMin, double EncodeMs)
{
    public static RateDistortionRow Jpeg(DisplaySequence sequence, int side, int quality)
    {
        var frames = sequence.At(side);
        int[] parameters = [(int)ImwriteFlags.JpegQuality, quality];
        long bytes = 0, cpu = 0;
        var ssim = new List<double>();
        foreach (var frame in frames)
        {
            using var mat = Mat.FromPixelData(side, side, MatType.CV_8UC1, frame);
            long start = ThreadCpuClock.NowNanoseconds();
            Cv2.ImEncode(".jpg", mat, out var jpeg, parameters);
            cpu += ThreadCpuClock.NowNanoseconds() - start;
            bytes += jpeg.Length;
            using var decoded = Cv2.ImDecode(jpeg, ImreadModes.Grayscale);
            decoded.GetArray(out byte[] picture);
            ssim.Add(Ssim.Compute(frame, picture, side, side));
        }
        return new(sequence.Name, side, "JPEG", $"q{quality}", (double)bytes / frames.Length, ssim.Average(), ssim.Min(), cpu / 1e6 / frames.Length);
    }

    public static RateDistortionRow Vpx(DisplaySequence sequence, int side, VideoCodec codec, int targetBytesPerFrame)
    {
        var frames = sequence.At(side);
        int kbps = targetBytesPerFrame * 8 * sequence.FramesPerSecond / 1000;
        var settings = new VideoEncoderSettings
        {
            Codec = codec, Width = side, Height = side, FramesPerSecond = sequence.FramesPerSecond, TargetKbps = kbps,
            KeyFrameInterval = 2 * sequence.FramesPerSecond,
        };
        using var encoder = new VideoEncoder(settings);
        using var decoder = new VideoDecoder(codec);
        var picture = new byte[side * side];
        long bytes = 0, cpu = 0;
        var ssim = new List<double>();
        foreach (var frame in frames)
        {
            long start = ThreadCpuClock.NowNanoseconds();
            var encoded = encoder.Encode(frame);
            cpu += ThreadCpuClock.NowNanoseconds() - start;
            bytes += encoded.Length;
            var result = decoder.Decode(encoded.Span, picture);
            encoded.Release();
            if (!result.HasPicture) throw new InvalidOperationException($"{codec} {side}²: {result.Status} {result.Reason}");
            ssim.Add(Ssim.Compute(frame, picture, side, side));
        }
        return new(sequence.Name, side, codec.ToString().ToUpperInvariant(), $"{kbps} kbit/s", (double)bytes / frames.Length, ssim.Average(), ssim.Min(), cpu / 1e6 / frames.Length);
    }
}
