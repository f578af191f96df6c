using System.Reflection;
using System.Runtime.InteropServices;

namespace CathLab.Video.Vpx;

/// <summary>The libvpx entry points this project calls, with the constants of libvpx 1.12's headers.</summary>
internal static unsafe partial class VpxNative
{
    private const string Library = "vpx";

    public const int EncoderAbiVersion = 25;
    public const int DecoderAbiVersion = 12;
    public const int ImageFormatI420 = 0x102;
    public const int PacketKindFrame = 0;
    public const uint FrameIsKey = 1;
    public const ulong DeadlineRealtime = 1;
    public const long FlagForceKeyFrame = 1;
    public const uint ErrorResilientDefault = 1;
    public const int RateControlVbr = 0;
    public const int RateControlCbr = 1;
    public const int KeyFrameAuto = 1;

    public const int ControlCpuUsed = 13;
    public const int ControlMaxIntraBitratePercent = 26;
    public const int ControlVp9TileColumns = 33;
    public const int ControlVp9AqMode = 36;
    public const int ControlVp9RowMultithreading = 55;
    public const int ControlGetFrameCorrupted = 257;

    static VpxNative() => NativeLibrary.SetDllImportResolver(typeof(VpxNative).Assembly, Resolve);

    // The runtime package ships only the versioned name (libvpx.so.7 for 1.12); "libvpx.so" comes with -dev.
    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path)
    {
        if (name != Library) return IntPtr.Zero;
        foreach (var candidate in new[] { "libvpx.so.7", "libvpx.so" })
            if (NativeLibrary.TryLoad(candidate, assembly, path, out var handle)) return handle;
        return IntPtr.Zero;
    }

    [LibraryImport(Library, EntryPoint = "vpx_codec_vp8_cx")] public static partial IntPtr Vp8Encoder();
    [LibraryImport(Library, EntryPoint = "vpx_codec_vp9_cx")] public static partial IntPtr Vp9Encoder();
    [LibraryImport(Library, EntryPoint = "vpx_codec_vp8_dx")] public static partial IntPtr Vp8Decoder();
    [LibraryImport(Library, EntryPoint = "vpx_codec_vp9_dx")] public static partial IntPtr Vp9Decoder();

    [LibraryImport(Library, EntryPoint = "vpx_codec_enc_config_default")]
    public static partial VpxError EncoderConfigDefault(IntPtr iface, VpxEncoderConfig* config, uint usage);

    [LibraryImport(Library, EntryPoint = "vpx_codec_enc_init_ver")]
    public static partial VpxError EncoderInit(VpxCodecContext* context, IntPtr iface, VpxEncoderConfig* config, long flags, int abiVersion);

    [LibraryImport(Library, EntryPoint = "vpx_codec_dec_init_ver")]
    public static partial VpxError DecoderInit(VpxCodecContext* context, IntPtr iface, IntPtr config, long flags, int abiVersion);

    // vpx_codec_control_ is variadic; on the SysV x86-64 and AArch64 Linux ABIs an int or pointer passed as the one
    // variadic argument travels exactly as a fixed one does.
    [LibraryImport(Library, EntryPoint = "vpx_codec_control_")]
    public static partial VpxError Control(VpxCodecContext* context, int id, int value);

    [LibraryImport(Library, EntryPoint = "vpx_codec_control_")]
    public static partial VpxError Control(VpxCodecContext* context, int id, int* value);

    [LibraryImport(Library, EntryPoint = "vpx_codec_encode")]
    public static partial VpxError Encode(VpxCodecContext* context, VpxImage* image, long pts, nuint duration, long flags, nuint deadline);

    [LibraryImport(Library, EntryPoint = "vpx_codec_get_cx_data")]
    public static partial VpxPacket* GetEncodedData(VpxCodecContext* context, IntPtr* iterator);

    [LibraryImport(Library, EntryPoint = "vpx_codec_peek_stream_info")]
    public static partial VpxError PeekStreamInfo(IntPtr iface, byte* data, uint size, VpxStreamInfo* info);

    [LibraryImport(Library, EntryPoint = "vpx_codec_decode")]
    public static partial VpxError Decode(VpxCodecContext* context, byte* data, uint size, IntPtr userPrivate, nint deadline);

    [LibraryImport(Library, EntryPoint = "vpx_codec_get_frame")]
    public static partial VpxImage* GetFrame(VpxCodecContext* context, IntPtr* iterator);

    [LibraryImport(Library, EntryPoint = "vpx_img_wrap")]
    public static partial VpxImage* WrapImage(VpxImage* image, int format, uint width, uint height, uint strideAlign, byte* data);

    [LibraryImport(Library, EntryPoint = "vpx_codec_destroy")]
    public static partial VpxError Destroy(VpxCodecContext* context);

    [LibraryImport(Library, EntryPoint = "vpx_codec_err_to_string")]
    public static partial IntPtr ErrorToString(VpxError error);

    [LibraryImport(Library, EntryPoint = "vpx_codec_error_detail")]
    public static partial IntPtr ErrorDetail(VpxCodecContext* context);

    /// <summary>libvpx's description of a failed call, with the context's detail where it has one.</summary>
    public static string Describe(VpxCodecContext* context, VpxError error)
    {
        string text = Marshal.PtrToStringUTF8(ErrorToString(error)) ?? error.ToString();
        string? detail = context is null ? null : Marshal.PtrToStringUTF8(ErrorDetail(context));
        return string.IsNullOrEmpty(detail) ? text : $"{text} ({detail})";
    }
}
