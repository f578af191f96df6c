using CathLab.LiveFeed.Frames;
using OpenCvSharp;
using OpenCvSharp.Internal;
using OpenCvSharp.Internal.Vectors;

namespace CathLab.LiveFeed.Tiers;

/// <summary>Encodes a frame slot into a variant with OpenCV: PNG for the 16-bit processed frame, JPEG for the
/// 8-bit display frame at full size or area-downscaled. Owned by one thread. Its OpenCV wrappers (over each
/// slot's pixels, the downscaled images and the native output vector) are made once and reused, and the
/// output is copied into a pooled <see cref="EncodedImage"/>, so a steady stream of frames allocates nothing.</summary>
internal sealed class TierEncoder : IDisposable
{
    private static readonly int[] PngFast = [(int)ImwriteFlags.PngCompression, 1];
    private readonly IReadOnlyList<EncodedImagePool> _pools;
    private readonly int[][] _parameters;
    private readonly ReducedImage?[] _reduced;
    private readonly PixelViews _displayViews = new(MatType.CV_8UC1);
    private readonly PixelViews _processedViews = new(MatType.CV_16UC1);
    private readonly VectorOfByte _output = new();

    public TierEncoder(IReadOnlyList<EncodedImagePool> pools)
    {
        _pools = pools;
        _parameters = pools.Select(p => p.Variant.Tier == Protocol.Tier.Lossless ? PngFast : [(int)ImwriteFlags.JpegQuality, p.Variant.JpegQuality]).ToArray();
        _reduced = pools.Select(p => p.Variant.DownscaleFactor > 1 ? new ReducedImage() : null).ToArray();
    }

    /// <summary>The encoded frame, holding one reference that the caller owns.</summary>
    public EncodedImage Encode(FrameSlot slot, StreamVariant variant)
    {
        var info = slot.Info;
        if (variant.Tier == Protocol.Tier.Lossless)
        {
            var processed = _processedViews.Over(slot.Processed, info.Height, info.Width);
            return EncodeInto(variant, ".png", processed, info.Width, info.Height);
        }
        var display = _displayViews.Over(slot.Display, info.DisplayHeight, info.DisplayWidth);
        if (variant.DownscaleFactor == 1) return EncodeInto(variant, ".jpg", display, info.DisplayWidth, info.DisplayHeight);
        int w = Math.Max(1, info.DisplayWidth / variant.DownscaleFactor);
        int h = Math.Max(1, info.DisplayHeight / variant.DownscaleFactor);
        var reduced = _reduced[variant.Index]!;
        // Cv2.Resize disposes the OutputArray it is given (one wrapper per call); the native call keeps ours reusable.
        NativeMethods.HandleException(NativeMethods.imgproc_resize(display.CvPtr, reduced.Output.CvPtr, new Size(w, h), 0, 0, (int)InterpolationFlags.Area));
        GC.KeepAlive(display);
        GC.KeepAlive(reduced);
        return EncodeInto(variant, ".jpg", reduced.Input, w, h);
    }

    /// <summary>A fresh PNG of a retained frame for a one-off lossless fetch (not the live path, so it allocates).</summary>
    public static byte[] EncodeLossless(ushort[] pixels, int width, int height)
    {
        using var processed = Mat.FromPixelData(height, width, MatType.CV_16UC1, pixels);
        Cv2.ImEncode(".png", processed, out var png, PngFast);
        return png;
    }

    // Cv2.ImEncode returns a new array per call; the native entry point writes into our reusable vector instead.
    private EncodedImage EncodeInto(StreamVariant variant, string extension, InputArray input, int width, int height)
    {
        var parameters = _parameters[variant.Index];
        NativeMethods.HandleException(NativeMethods.imgcodecs_imencode_vector(extension, input.CvPtr, _output.CvPtr, parameters, parameters.Length, out int encoded));
        GC.KeepAlive(input);
        if (encoded == 0) throw new ArgumentException($"OpenCV could not encode a {width}×{height} frame as {extension}");
        var image = _pools[variant.Index].Rent();
        image.Fill(width, height, _output.ElemPtr, _output.Size);
        return image;
    }

    public void Dispose()
    {
        foreach (var r in _reduced) r?.Dispose();
        _displayViews.Dispose();
        _processedViews.Dispose();
        _output.Dispose();
    }

    /// <summary>A downscaled image of one variant, with its OpenCV argument wrappers.</summary>
    private sealed class ReducedImage : IDisposable
    {
        private readonly Mat _mat = new();

        public ReducedImage()
        {
            Input = InputArray.Create(_mat);
            Output = OutputArray.Create(_mat);
        }

        public InputArray Input { get; }

        public OutputArray Output { get; }

        public void Dispose()
        {
            Input.Dispose();
            Output.Dispose();
            _mat.Dispose();
        }
    }
}
