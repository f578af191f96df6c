using System.Reflection;
using System.Runtime.InteropServices;

namespace CathLab.Dicom.Codecs.CharLs;

/// <summary>The CharLS 2.x C entry points the JPEG-LS codec calls (charls.h of CharLS 2.4). Each returns a
/// charls_jpegls_errc, 0 on success.</summary>
internal static unsafe partial class CharLsNative
{
    private const string Library = "charls";
    public const string PackageHint = "CharLS (libcharls.so.2, Debian package libcharls2)";

    public const int InterleaveNone = 0;
    public const int InterleaveSample = 2;
    public const int EncodingOptionEvenDestinationSize = 1;
    /// <summary>charls_jpegls_errc: the destination buffer is too small for the encoded or decoded frame.</summary>
    public const int ErrorDestinationTooSmall = 3;

    static CharLsNative() => NativeLibrary.SetDllImportResolver(typeof(CharLsNative).Assembly, Resolve);

    // The runtime package ships only the versioned name; "libcharls.so" comes with -dev.
    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path)
    {
        if (name != Library) return IntPtr.Zero;
        foreach (var candidate in new[] { "libcharls.so.2", "libcharls.so" })
            if (NativeLibrary.TryLoad(candidate, assembly, path, out var handle)) return handle;
        return IntPtr.Zero;
    }

    private static readonly Lazy<bool> Loaded = new(static () =>
    {
        try
        {
            int major, minor, patch;
            VersionNumber(&major, &minor, &patch);
            return major == 2;
        }
        catch (DllNotFoundException)
        {
            return false;
        }
        catch (EntryPointNotFoundException)
        {
            return false;
        }
    });

    public static bool IsAvailable => Loaded.Value;

    /// <summary>Throws a <see cref="NotSupportedException"/> that names the missing library, before any entry point is called.</summary>
    public static void EnsureAvailable()
    {
        if (!Loaded.Value) throw new NotSupportedException($"JPEG-LS needs {PackageHint}, which is not installed on this machine");
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct FrameInfo
    {
        public uint Width;
        public uint Height;
        public int BitsPerSample;
        public int ComponentCount;
    }

    [LibraryImport(Library, EntryPoint = "charls_get_version_number")]
    private static partial void VersionNumber(int* major, int* minor, int* patch);

    [LibraryImport(Library, EntryPoint = "charls_get_error_message")]
    private static partial IntPtr ErrorMessage(int error);

    public static string Describe(int error) => Marshal.PtrToStringUTF8(ErrorMessage(error)) ?? $"CharLS error {error}";

    [LibraryImport(Library, EntryPoint = "charls_jpegls_encoder_create")] public static partial IntPtr EncoderCreate();
    [LibraryImport(Library, EntryPoint = "charls_jpegls_encoder_destroy")] public static partial void EncoderDestroy(IntPtr encoder);
    [LibraryImport(Library, EntryPoint = "charls_jpegls_encoder_set_frame_info")] public static partial int EncoderSetFrameInfo(IntPtr encoder, FrameInfo* info);
    [LibraryImport(Library, EntryPoint = "charls_jpegls_encoder_set_near_lossless")] public static partial int EncoderSetNearLossless(IntPtr encoder, int near);
    [LibraryImport(Library, EntryPoint = "charls_jpegls_encoder_set_interleave_mode")] public static partial int EncoderSetInterleaveMode(IntPtr encoder, int mode);
    [LibraryImport(Library, EntryPoint = "charls_jpegls_encoder_set_encoding_options")] public static partial int EncoderSetEncodingOptions(IntPtr encoder, int options);
    [LibraryImport(Library, EntryPoint = "charls_jpegls_encoder_set_destination_buffer")] public static partial int EncoderSetDestination(IntPtr encoder, byte* destination, nuint size);
    [LibraryImport(Library, EntryPoint = "charls_jpegls_encoder_encode_from_buffer")] public static partial int EncoderEncode(IntPtr encoder, byte* source, nuint size, uint stride);
    [LibraryImport(Library, EntryPoint = "charls_jpegls_encoder_get_bytes_written")] public static partial int EncoderBytesWritten(IntPtr encoder, nuint* written);

    [LibraryImport(Library, EntryPoint = "charls_jpegls_decoder_create")] public static partial IntPtr DecoderCreate();
    [LibraryImport(Library, EntryPoint = "charls_jpegls_decoder_destroy")] public static partial void DecoderDestroy(IntPtr decoder);
    [LibraryImport(Library, EntryPoint = "charls_jpegls_decoder_set_source_buffer")] public static partial int DecoderSetSource(IntPtr decoder, byte* source, nuint size);
    [LibraryImport(Library, EntryPoint = "charls_jpegls_decoder_read_header")] public static partial int DecoderReadHeader(IntPtr decoder);
    [LibraryImport(Library, EntryPoint = "charls_jpegls_decoder_get_frame_info")] public static partial int DecoderFrameInfo(IntPtr decoder, FrameInfo* info);
    [LibraryImport(Library, EntryPoint = "charls_jpegls_decoder_get_interleave_mode")] public static partial int DecoderInterleaveMode(IntPtr decoder, int* mode);
    [LibraryImport(Library, EntryPoint = "charls_jpegls_decoder_decode_to_buffer")] public static partial int DecoderDecode(IntPtr decoder, byte* destination, nuint size, uint stride);
}
