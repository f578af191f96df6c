using System.Runtime.InteropServices;
using CathLab.Video.Vpx;

namespace CathLab.Video;

/// <summary>What became of one compressed frame given to <see cref="VideoDecoder"/>.</summary>
public enum DecodeStatus
{
    /// <summary>A picture was decoded into the caller's buffer.</summary>
    Picture,

    /// <summary>The frame was corrupt, truncated or not of this codec; nothing was shown. Inter frames are
    /// refused from here until the next key frame.</summary>
    Rejected,

    /// <summary>An inter frame after a rejected one (or before the first key frame): skipped, because it would
    /// predict from a picture the decoder does not have.</summary>
    AwaitingKeyFrame,
}

/// <summary>The outcome of decoding one frame; <see cref="Reason"/> says why a frame was rejected.</summary>
public readonly record struct DecodeResult(DecodeStatus Status, int Width, int Height, bool IsKeyFrame, string? Reason)
{
    public bool HasPicture => Status == DecodeStatus.Picture;
}

/// <summary>Decodes VP8 or VP9 frames with libvpx into 8-bit grey (the luma plane). Bad input from the network is
/// an outcome, never an exception or a crash: a rejected frame makes the decoder wait for the next key frame,
/// from which it recovers. It recovers on a fresh libvpx context: after damaged frames libvpx's VP9 decoder can
/// keep its frame buffers referenced and refuse every later frame ("Unable to find free frame buffer").</summary>
public sealed unsafe class VideoDecoder : IDisposable
{
    private readonly IntPtr _iface;
    private readonly VpxCodecContext* _context;
    private bool _awaitingKeyFrame = true;
    private bool _damaged;
    private bool _disposed;

    public VideoDecoder(VideoCodec codec)
    {
        Codec = codec;
        _iface = codec == VideoCodec.Vp8 ? VpxNative.Vp8Decoder() : VpxNative.Vp9Decoder();
        _context = (VpxCodecContext*)NativeMemory.AllocZeroed((nuint)sizeof(VpxCodecContext));
        try
        {
            Start();
        }
        catch
        {
            NativeMemory.Free(_context);
            throw;
        }
    }

    private void Start()
    {
        var error = VpxNative.DecoderInit(_context, _iface, IntPtr.Zero, 0, VpxNative.DecoderAbiVersion);
        if (error != VpxError.Ok) throw new VideoCodecException($"libvpx could not start a {Codec} decoder: {VpxNative.Describe(_context, error)}");
    }

    public VideoCodec Codec { get; }

    /// <summary>Decodes one compressed frame into <paramref name="grey"/> (packed rows of the picture's width).</summary>
    public DecodeResult Decode(ReadOnlySpan<byte> frame, Span<byte> grey)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (frame.IsEmpty) return Reject(0, 0, false, "empty frame");
        fixed (byte* data = frame)
        {
            var info = new VpxStreamInfo { Size = (uint)sizeof(VpxStreamInfo) };
            // Peeking reads only the frame header: it says whether this is a key frame (VP8 reports inter frames as
            // "unsupported" here, which is not an error of the frame).
            VpxNative.PeekStreamInfo(_iface, data, (uint)frame.Length, &info);
            bool key = info.IsKeyFrame != 0;
            if (_awaitingKeyFrame && !key) return new DecodeResult(DecodeStatus.AwaitingKeyFrame, 0, 0, false, null);
            if (_damaged && key)
            {
                VpxNative.Destroy(_context);
                *_context = default;
                Start();
                _damaged = false;
            }

            var error = VpxNative.Decode(_context, data, (uint)frame.Length, IntPtr.Zero, 0);
            if (error != VpxError.Ok) return Reject(0, 0, key, VpxNative.Describe(_context, error));
            IntPtr iterator = IntPtr.Zero;
            VpxImage* image = VpxNative.GetFrame(_context, &iterator);
            if (image is null) return Reject(0, 0, key, "the frame decoded to no picture");
            int corrupted = 0;
            if (VpxNative.Control(_context, VpxNative.ControlGetFrameCorrupted, &corrupted) == VpxError.Ok && corrupted != 0)
                return Reject((int)image->DisplayWidth, (int)image->DisplayHeight, key, "the decoder marked the picture corrupted");
            int width = (int)image->DisplayWidth, height = (int)image->DisplayHeight;
            if (grey.Length < width * height)
                return Reject(width, height, key, $"a {width}×{height} picture does not fit a {grey.Length}-byte buffer");
            byte* row = (byte*)image->PlaneY;
            int stride = image->Strides[0];
            for (int y = 0; y < height; y++) new ReadOnlySpan<byte>(row + (long)y * stride, width).CopyTo(grey.Slice(y * width, width));
            _awaitingKeyFrame = false;
            return new DecodeResult(DecodeStatus.Picture, width, height, key, null);
        }
    }

    private DecodeResult Reject(int width, int height, bool key, string reason)
    {
        _awaitingKeyFrame = true;
        _damaged = true;
        return new DecodeResult(DecodeStatus.Rejected, width, height, key, reason);
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        VpxNative.Destroy(_context);
        NativeMemory.Free(_context);
    }
}
