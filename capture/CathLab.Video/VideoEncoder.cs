using System.Runtime.InteropServices;
using CathLab.Video.Vpx;

namespace CathLab.Video;

/// <summary>Encodes 8-bit grey display frames with libvpx in real time: each frame becomes the luma of an I420
/// picture whose chroma stays neutral (128), and comes out as one compressed frame in a pooled buffer. Owned by
/// one thread; after the first frames the encode path allocates nothing.</summary>
public sealed unsafe class VideoEncoder : IDisposable
{
    private readonly VpxCodecContext* _context;
    private readonly VpxImage* _image;
    private readonly byte* _picture;
    private long _next;
    private bool _keyFrameRequested;
    private bool _disposed;

    public VideoEncoder(VideoEncoderSettings settings, EncodedVideoFramePool? pool = null)
    {
        settings.Validate();
        Settings = settings;
        Pool = pool ?? EncodedVideoFramePool.For(settings);
        var iface = settings.Codec == VideoCodec.Vp8 ? VpxNative.Vp8Encoder() : VpxNative.Vp9Encoder();
        VpxEncoderConfig config;
        Check(null, VpxNative.EncoderConfigDefault(iface, &config, 0), "default configuration");
        config.Width = (uint)settings.Width;
        config.Height = (uint)settings.Height;
        config.Threads = (uint)settings.Threads;
        config.Timebase = new VpxRational { Numerator = 1, Denominator = settings.FramesPerSecond };
        config.ErrorResilient = VpxNative.ErrorResilientDefault;
        config.LagInFrames = 0;
        config.DropFrameThreshold = 0;
        config.EndUsage = settings.RateControl == RateControl.Constant ? VpxNative.RateControlCbr : VpxNative.RateControlVbr;
        config.TargetBitrateKbps = (uint)settings.TargetKbps;
        // The whole quantiser range: a low target is honoured by coarser pictures rather than overshot.
        config.MaxQuantizer = 63;
        config.UndershootPercent = 50;
        config.OvershootPercent = 50;
        config.BufferMs = 1000;
        config.BufferInitialMs = 500;
        config.BufferOptimalMs = 600;
        config.KeyFrameMode = VpxNative.KeyFrameAuto;
        config.KeyFrameMinDistance = 0;
        config.KeyFrameMaxDistance = (uint)settings.KeyFrameInterval;

        _context = (VpxCodecContext*)NativeMemory.AllocZeroed((nuint)sizeof(VpxCodecContext));
        var error = VpxNative.EncoderInit(_context, iface, &config, 0, VpxNative.EncoderAbiVersion);
        if (error != VpxError.Ok)
        {
            string reason = VpxNative.Describe(_context, error);
            NativeMemory.Free(_context);
            throw new VideoCodecException($"libvpx could not start a {settings.Codec} encoder at {settings.Width}×{settings.Height}: {reason}");
        }
        _image = (VpxImage*)NativeMemory.AllocZeroed((nuint)sizeof(VpxImage));
        int luma = settings.Width * settings.Height;
        _picture = (byte*)NativeMemory.Alloc((nuint)(luma + luma / 2));
        new Span<byte>(_picture + luma, luma / 2).Fill(128);
        VpxNative.WrapImage(_image, VpxNative.ImageFormatI420, (uint)settings.Width, (uint)settings.Height, 1, _picture);
        try
        {
            Configure(settings);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public VideoEncoderSettings Settings { get; }

    public EncodedVideoFramePool Pool { get; }

    /// <summary>Frames encoded so far.</summary>
    public long FramesEncoded => _next;

    /// <summary>Makes the next frame a key frame (a joining or recovering observer); callable from any thread.</summary>
    public void RequestKeyFrame() => Volatile.Write(ref _keyFrameRequested, true);

    /// <summary>Encodes one grey frame of the configured size (rows <paramref name="stride"/> bytes apart, 0 for
    /// packed). Returns the compressed frame holding one reference, the caller's.</summary>
    public EncodedVideoFrame Encode(ReadOnlySpan<byte> grey, int stride = 0)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        int width = Settings.Width, height = Settings.Height;
        if (stride == 0) stride = width;
        if (stride < width || grey.Length < (long)stride * (height - 1) + width)
            throw new ArgumentException($"a {width}×{height} frame with stride {stride} needs more than {grey.Length} bytes", nameof(grey));
        for (int y = 0; y < height; y++) grey.Slice(y * stride, width).CopyTo(new Span<byte>(_picture + y * width, width));

        long flags = Interlocked.Exchange(ref _keyFrameRequested, false) ? VpxNative.FlagForceKeyFrame : 0;
        long number = _next++;
        Check(_context, VpxNative.Encode(_context, _image, number, 1, flags, (nuint)VpxNative.DeadlineRealtime), "encode");

        EncodedVideoFrame? frame = null;
        IntPtr iterator = IntPtr.Zero;
        VpxPacket* packet;
        while ((packet = VpxNative.GetEncodedData(_context, &iterator)) is not null)
        {
            if (packet->Kind != VpxNative.PacketKindFrame) continue;
            if (frame is not null) throw new VideoCodecException("libvpx returned two frames for one picture (look-ahead is off; this is a configuration error)");
            frame = Pool.Rent();
            frame.Fill(number, (packet->Flags & VpxNative.FrameIsKey) != 0, packet->Buffer, checked((int)packet->Size));
        }
        return frame ?? throw new VideoCodecException($"libvpx returned no frame for picture {number} (frame dropping is off)");
    }

    private void Configure(VideoEncoderSettings settings)
    {
        Check(_context, VpxNative.Control(_context, VpxNative.ControlCpuUsed, settings.EffectiveCpuUsed), "cpu-used");
        // A key frame may take at most 3 average frames' worth of bits, so a forced one does not stall a slow link.
        Check(_context, VpxNative.Control(_context, VpxNative.ControlMaxIntraBitratePercent, 300), "max intra bitrate");
        if (settings.Codec == VideoCodec.Vp9)
        {
            Check(_context, VpxNative.Control(_context, VpxNative.ControlVp9AqMode, 3), "cyclic-refresh aq");
            Check(_context, VpxNative.Control(_context, VpxNative.ControlVp9TileColumns, 0), "tile columns");
            Check(_context, VpxNative.Control(_context, VpxNative.ControlVp9RowMultithreading, settings.Threads > 1 ? 1 : 0), "row-mt");
        }
    }

    private static void Check(VpxCodecContext* context, VpxError error, string what)
    {
        if (error != VpxError.Ok) throw new VideoCodecException($"libvpx {what}: {VpxNative.Describe(context, error)}");
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        VpxNative.Destroy(_context);
        NativeMemory.Free(_context);
        NativeMemory.Free(_image);
        NativeMemory.Free(_picture);
    }
}
