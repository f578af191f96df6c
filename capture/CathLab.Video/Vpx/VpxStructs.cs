using System.Runtime.InteropServices;

namespace CathLab.Video.Vpx;

// Layouts of libvpx 1.12's public structs (vpx_codec.h, vpx_encoder.h, vpx_decoder.h, vpx_image.h) on 64-bit Linux,
// checked against the headers' sizeof/offsetof: encoder ABI 25, decoder ABI 12. A libvpx with another ABI refuses
// to initialise (VPX_CODEC_ABI_MISMATCH) rather than misread these.

/// <summary>vpx_codec_ctx_t (56 bytes); only the error code is read here, the rest is the library's.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct VpxCodecContext
{
    public IntPtr Name;
    public IntPtr Interface;
    public VpxError Error;
    public IntPtr ErrorDetail;
    public long InitFlags;
    public IntPtr Config;
    public IntPtr Private;
}

[StructLayout(LayoutKind.Sequential)]
internal struct VpxRational
{
    public int Numerator;
    public int Denominator;
}

/// <summary>vpx_codec_enc_cfg_t (504 bytes): the fields up to the key-frame settings, then the layer and
/// rate-control-tuning tail this project leaves at the codec's defaults.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct VpxEncoderConfig
{
    public uint Usage;
    public uint Threads;
    public uint Profile;
    public uint Width;
    public uint Height;
    public int BitDepth;
    public uint InputBitDepth;
    public VpxRational Timebase;
    public uint ErrorResilient;
    public int Pass;
    public uint LagInFrames;
    public uint DropFrameThreshold;
    public uint ResizeAllowed;
    public uint ScaledWidth;
    public uint ScaledHeight;
    public uint ResizeUpThreshold;
    public uint ResizeDownThreshold;
    public int EndUsage;
    public VpxFixedBuffer TwoPassStatsIn;
    public VpxFixedBuffer FirstPassMacroblockStatsIn;
    public uint TargetBitrateKbps;
    public uint MinQuantizer;
    public uint MaxQuantizer;
    public uint UndershootPercent;
    public uint OvershootPercent;
    public uint BufferMs;
    public uint BufferInitialMs;
    public uint BufferOptimalMs;
    public uint TwoPassVbrBiasPercent;
    public uint TwoPassVbrMinSectionPercent;
    public uint TwoPassVbrMaxSectionPercent;
    public uint TwoPassVbrCorpusComplexity;
    public int KeyFrameMode;
    public uint KeyFrameMinDistance;
    public uint KeyFrameMaxDistance;
    public fixed byte LayersAndTuning[504 - 172];
}

[StructLayout(LayoutKind.Sequential)]
internal struct VpxFixedBuffer
{
    public IntPtr Buffer;
    public nuint Size;
}

/// <summary>vpx_codec_cx_pkt_t (136 bytes), read only as a compressed-frame packet.</summary>
[StructLayout(LayoutKind.Explicit, Size = 136)]
internal struct VpxPacket
{
    [FieldOffset(0)] public int Kind;
    [FieldOffset(8)] public IntPtr Buffer;
    [FieldOffset(16)] public nuint Size;
    [FieldOffset(24)] public long Pts;
    [FieldOffset(40)] public uint Flags;
}

/// <summary>vpx_image_t (136 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct VpxImage
{
    public int Format;
    public int ColorSpace;
    public int Range;
    public uint Width;
    public uint Height;
    public uint BitDepth;
    public uint DisplayWidth;
    public uint DisplayHeight;
    public uint RenderWidth;
    public uint RenderHeight;
    public uint ChromaShiftX;
    public uint ChromaShiftY;
    public IntPtr PlaneY;
    public IntPtr PlaneU;
    public IntPtr PlaneV;
    public IntPtr PlaneAlpha;
    public fixed int Strides[4];
    public int BitsPerSample;
    public IntPtr UserPrivate;
    public IntPtr ImageData;
    public int ImageDataOwner;
    public int SelfAllocated;
    public IntPtr FrameBufferPrivate;
}

/// <summary>vpx_codec_stream_info_t: what the decoder can tell from a frame's header alone.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct VpxStreamInfo
{
    public uint Size;
    public uint Width;
    public uint Height;
    public uint IsKeyFrame;
}

/// <summary>vpx_codec_err_t.</summary>
internal enum VpxError
{
    Ok = 0,
    Error = 1,
    MemoryError = 2,
    AbiMismatch = 3,
    Incapable = 4,
    UnsupportedBitstream = 5,
    UnsupportedFeature = 6,
    CorruptFrame = 7,
    InvalidParameter = 8,
    ListEnd = 9,
}
