using CathLab.LiveFeed.Publishing;
using OpenCvSharp;

namespace CathLab.LiveFeed.Tiers;

/// <summary>Encodes a frame slot into a variant with OpenCV: PNG for the 16-bit processed frame, JPEG for the
/// 8-bit display frame at full size or area-downscaled. Owned by one thread; its scratch images are reused.</summary>
internal sealed class TierEncoder : IDisposable
{
    private static readonly int[] PngFast = [(int)ImwriteFlags.PngCompression, 1];
    private readonly Dictionary<int, int[]> _jpegParameters = [];
    private readonly Mat _reduced = new();

    public EncodedImage Encode(FrameSlot slot, StreamVariant variant)
    {
        var info = slot.Info;
        if (variant.Tier == Protocol.Tier.Lossless)
        {
            return new EncodedImage(variant, info.Width, info.Height, EncodeLossless(slot.Processed, info.Width, info.Height));
        }
        using var display = Mat.FromPixelData(info.DisplayHeight, info.DisplayWidth, MatType.CV_8UC1, slot.Display);
        var quality = JpegParameters(variant.JpegQuality);
        if (variant.DownscaleFactor == 1)
        {
            Cv2.ImEncode(".jpg", display, out var full, quality);
            return new EncodedImage(variant, info.DisplayWidth, info.DisplayHeight, full);
        }
        int w = Math.Max(1, info.DisplayWidth / variant.DownscaleFactor);
        int h = Math.Max(1, info.DisplayHeight / variant.DownscaleFactor);
        Cv2.Resize(display, _reduced, new Size(w, h), 0, 0, InterpolationFlags.Area);
        Cv2.ImEncode(".jpg", _reduced, out var small, quality);
        return new EncodedImage(variant, w, h, small);
    }

    public static byte[] EncodeLossless(ushort[] pixels, int width, int height)
    {
        using var processed = Mat.FromPixelData(height, width, MatType.CV_16UC1, pixels);
        Cv2.ImEncode(".png", processed, out var png, PngFast);
        return png;
    }

    private int[] JpegParameters(int quality)
    {
        if (!_jpegParameters.TryGetValue(quality, out var p))
        {
            p = [(int)ImwriteFlags.JpegQuality, quality];
            _jpegParameters[quality] = p;
        }
        return p;
    }

    public void Dispose() => _reduced.Dispose();
}
