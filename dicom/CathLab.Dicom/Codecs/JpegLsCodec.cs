using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;
using CathLab.Dicom.Codecs.CharLs;
using CathLab.Dicom.Data;
using CathLab.Dicom.IO;

namespace CathLab.Dicom.Codecs;

/// <summary>
/// JPEG-LS (ITU-T T.87): lossless (NEAR 0, 1.2.840.10008.1.2.4.80) or near-lossless (NEAR &gt; 0, 1.2.840.10008.1.2.4.81).
/// Lossless grey frames are coded by our own encoder (<see cref="JpegLs.JpegLsLosslessEncoder"/>, measured faster than
/// CharLS's, bench/RESULTS.md); the rest, and every decode, go through Debian's CharLS. 2..16 bits per sample, 1 to 4 samples per pixel interleaved by sample; the codestream's
/// precision P is Bits Stored, or Bits Allocated when a sample has bits set above Bits Stored (kept, so still lossless).
/// Thread-safe: each CharLS call makes its own CharLS encoder or decoder (a native allocation; nothing on the managed heap).
/// </summary>
public sealed class JpegLsCodec : IDicomFrameCodec
{
    /// <summary>Codestream bytes besides the scan: SOI, SOF55, an LSE preset, SOS, EOI, and room for a SPIFF header.</summary>
    private const int MarkerBytes = 1024;

    public static readonly JpegLsCodec Lossless = new(0);

    /// <summary>Lossless with CharLS's encoder for every frame (the bench compares it with ours).</summary>
    public static readonly JpegLsCodec LosslessThroughCharLs = new(0) { _ownEncoder = false };

    private bool _ownEncoder = true;

    /// <summary>The near-lossless codec used when the syntax is named without an error bound.</summary>
    public static readonly JpegLsCodec NearLosslessDefault = new(2);

    private JpegLsCodec(int near) => Near = near;

    /// <summary>A near-lossless codec: every sample decodes within <paramref name="near"/> of the original.</summary>
    public static JpegLsCodec NearLossless(int near)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(near, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(near, 255);
        return new JpegLsCodec(near);
    }

    /// <summary>The largest difference a decoded sample may have from the original (0: lossless).</summary>
    public int Near { get; }

    public DicomTransferSyntax Syntax => Near == 0 ? DicomTransferSyntax.JpegLsLossless : DicomTransferSyntax.JpegLsNearLossless;

    public static bool IsAvailable => CharLsNative.IsAvailable;

    /// <summary>T.87's bound: no sample's code is longer than LIMIT = 2 (P + max(8, P)) bits, and a zero bit is stuffed after
    /// every 0xFF byte (8 bits out per 7 in). Taken at P = Bits Allocated, the precision the encoder may fall back to.</summary>
    public int MaxEncodedLength(DicomFrameFormat format)
    {
        format.Validate();
        var bits = format.BitsAllocated;
        var limitBits = 2L * (bits + Math.Max(8, bits));
        var scanBits = (long)format.PixelCount * format.SamplesPerPixel * limitBits;
        var scanBytes = (scanBits * 8 / 7 + 7) / 8;
        return checked((int)((scanBytes + MarkerBytes + 1) & ~1L));
    }

    /// <summary>Samples of Bits Allocated bits plus an eighth, and the markers. Full-range uniform noise, the worst a detector
    /// gives, measured 6.6 % above its precision at 8 bits and 3.2 % at 16 (CharLS 2.4, 512×512), so an eighth keeps room.</summary>
    public int PlanningEncodedLength(DicomFrameFormat format)
    {
        format.Validate();
        var scanBits = (long)format.PixelCount * format.SamplesPerPixel * format.BitsAllocated * 9 / 8;
        return checked((int)(((scanBits + 7) / 8 + MarkerBytes + 1) & ~1L));
    }

    public unsafe int Encode(ReadOnlySpan<byte> frame, DicomFrameFormat format, Span<byte> destination)
    {
        Validate(format);
        if (frame.Length < format.FrameLength) throw new ArgumentException($"frame has {frame.Length} bytes, {format.FrameLength} needed");
        frame = frame[..format.FrameLength];
        var precision = Precision(frame, format);
        // Ours codes grey frames of 3 bits and more byte for byte as CharLS does (OurEncoderWritesWhatCharLsWrites); at 2 bits
        // the two differ, so CharLS codes those.
        if (_ownEncoder && Near == 0 && format.SamplesPerPixel == 1 && precision >= 3)
        {
            if (destination.Length < MaxEncodedLength(format)) throw new ArgumentException("destination is smaller than MaxEncodedLength");
            return JpegLs.JpegLsLosslessEncoder.Encode(frame, format.Rows, format.Columns, precision, format.BitsAllocated == 16, destination);
        }
        var info = new CharLsNative.FrameInfo
        {
            Width = (uint)format.Columns,
            Height = (uint)format.Rows,
            BitsPerSample = precision,
            ComponentCount = format.SamplesPerPixel,
        };
        var encoder = CharLsNative.EncoderCreate();
        if (encoder == IntPtr.Zero) throw new OutOfMemoryException("CharLS could not create an encoder");
        try
        {
            fixed (byte* source = frame)
            fixed (byte* target = destination)
            {
                Check(CharLsNative.EncoderSetFrameInfo(encoder, &info), "frame info");
                if (Near > 0) Check(CharLsNative.EncoderSetNearLossless(encoder, Near), "near-lossless bound");
                if (format.SamplesPerPixel > 1) Check(CharLsNative.EncoderSetInterleaveMode(encoder, CharLsNative.InterleaveSample), "interleave mode");
                Check(CharLsNative.EncoderSetEncodingOptions(encoder, CharLsNative.EncodingOptionEvenDestinationSize), "encoding options");
                Check(CharLsNative.EncoderSetDestination(encoder, target, (nuint)destination.Length), "destination");
                var error = CharLsNative.EncoderEncode(encoder, source, (nuint)frame.Length, 0);
                if (error == CharLsNative.ErrorDestinationTooSmall)
                    throw new ArgumentException($"destination of {destination.Length} bytes is too small for this frame; use MaxEncodedLength");
                Check(error, "encode");
                nuint written;
                Check(CharLsNative.EncoderBytesWritten(encoder, &written), "bytes written");
                return (int)written;
            }
        }
        finally
        {
            CharLsNative.EncoderDestroy(encoder);
        }
    }

    public unsafe void Decode(ReadOnlySpan<byte> encoded, DicomFrameFormat format, Span<byte> destination)
    {
        Validate(format);
        if (destination.Length < format.FrameLength) throw new ArgumentException($"destination has {destination.Length} bytes, {format.FrameLength} needed");
        if (encoded.IsEmpty) throw new DicomFormatException("JPEG-LS frame is empty");
        var decoder = CharLsNative.DecoderCreate();
        if (decoder == IntPtr.Zero) throw new OutOfMemoryException("CharLS could not create a decoder");
        try
        {
            fixed (byte* source = encoded)
            {
                Malformed(CharLsNative.DecoderSetSource(decoder, source, (nuint)encoded.Length), "source");
                Malformed(CharLsNative.DecoderReadHeader(decoder), "header");
                CharLsNative.FrameInfo info;
                Malformed(CharLsNative.DecoderFrameInfo(decoder, &info), "frame info");
                CheckMatches(info, format);
                if (format.SamplesPerPixel > 1)
                {
                    int mode;
                    Malformed(CharLsNative.DecoderInterleaveMode(decoder, &mode), "interleave mode");
                    if (mode == CharLsNative.InterleaveNone)
                        throw new DicomFormatException("JPEG-LS frame has its components in separate scans; only interleaved components are read");
                }
                if (info.BitsPerSample <= 8 && format.BitsAllocated == 16) DecodeWidened(decoder, format, destination);
                else
                {
                    fixed (byte* target = destination)
                        Malformed(CharLsNative.DecoderDecode(decoder, target, (nuint)format.FrameLength, 0), "scan");
                }
            }
        }
        finally
        {
            CharLsNative.DecoderDestroy(decoder);
        }
    }

    /// <summary>JPEG-LS run mode codes a flat frame in a few bytes, so no encoded length is too short to be true.</summary>
    public void CheckEncodedLength(DicomFrameFormat format, int encodedLength)
    {
        if (encodedLength <= 0) throw new DicomFormatException("JPEG-LS frame is empty");
    }

    /// <summary>A codestream of P ≤ 8 in a 16-bit frame decodes to bytes; each is widened to a little-endian 16-bit sample.</summary>
    private static unsafe void DecodeWidened(IntPtr decoder, DicomFrameFormat format, Span<byte> destination)
    {
        var samples = format.PixelCount * format.SamplesPerPixel;
        var narrow = ArrayPool<byte>.Shared.Rent(samples);
        try
        {
            fixed (byte* target = narrow)
                Malformed(CharLsNative.DecoderDecode(decoder, target, (nuint)samples, 0), "scan");
            var wide = MemoryMarshal.Cast<byte, ushort>(destination[..format.FrameLength]);
            for (var i = 0; i < samples; i++) wide[i] = narrow[i];
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(narrow);
        }
    }

    private static void CheckMatches(CharLsNative.FrameInfo info, DicomFrameFormat format)
    {
        if (info.Width != format.Columns || info.Height != format.Rows || info.ComponentCount != format.SamplesPerPixel)
            throw new DicomFormatException($"JPEG-LS frame is {info.Width}x{info.Height}x{info.ComponentCount}; the data set says {format.Columns}x{format.Rows}x{format.SamplesPerPixel}");
        if (info.BitsPerSample > format.BitsAllocated)
            throw new DicomFormatException($"JPEG-LS frame has {info.BitsPerSample}-bit samples; Bits Allocated is {format.BitsAllocated}");
    }

    /// <summary>Bits Stored, unless some sample has a bit above it: then Bits Allocated, so nothing is lost.</summary>
    private static int Precision(ReadOnlySpan<byte> frame, DicomFrameFormat format)
    {
        var bits = Math.Max(2, format.SampleBits);
        if (bits >= format.BitsAllocated) return format.BitsAllocated;
        var used = format.BitsAllocated == 8 ? Or(frame) : Or(MemoryMarshal.Cast<byte, ushort>(frame));
        return used >> bits == 0 ? bits : format.BitsAllocated;
    }

    private static int Or<T>(ReadOnlySpan<T> samples) where T : unmanaged, IBinaryInteger<T>
    {
        var acc = Vector<T>.Zero;
        var vectors = MemoryMarshal.Cast<T, Vector<T>>(samples);
        foreach (var v in vectors) acc |= v;
        var result = T.Zero;
        for (var i = 0; i < Vector<T>.Count; i++) result |= acc[i];
        for (var i = vectors.Length * Vector<T>.Count; i < samples.Length; i++) result |= samples[i];
        return int.CreateTruncating(result);
    }

    private static void Validate(DicomFrameFormat format)
    {
        CharLsNative.EnsureAvailable();
        format.Validate();
        if (format.BitsAllocated > 16) throw new NotSupportedException($"JPEG-LS codes at most 16 bits per sample, not {format.BitsAllocated}");
    }

    private static void Check(int error, string step)
    {
        if (error != 0) throw new ArgumentException($"CharLS refused the {step}: {CharLsNative.Describe(error)}");
    }

    private static void Malformed(int error, string step)
    {
        if (error != 0) throw new DicomFormatException($"JPEG-LS frame cannot be decoded ({step}): {CharLsNative.Describe(error)}");
    }
}
