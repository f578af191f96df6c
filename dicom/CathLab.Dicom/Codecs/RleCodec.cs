using System.Buffers;
using System.Buffers.Binary;
using CathLab.Dicom.Data;
using CathLab.Dicom.IO;

namespace CathLab.Dicom.Codecs;

/// <summary>
/// RLE Lossless (PS3.5 Annex G): a 64-byte header of segment offsets, then one PackBits-style segment per
/// byte plane (most significant byte first) per sample. Rows are encoded independently.
/// </summary>
public static class RleCodec
{
    private const int HeaderLength = 64;
    // Row scratch up to this many columns lives on the stack; wider rows rent from the pool.
    private const int StackColumns = 4096;

    /// <summary>Largest encoded size of a frame (worst case: one literal header per 128 bytes, row padding, segment padding).</summary>
    public static int MaxEncodedLength(DicomFrameFormat format) =>
        HeaderLength + format.SegmentCount * (format.Rows * PackBitsRowEncoder.MaxRowLength(format.Columns) + 1);

    /// <summary>
    /// Encodes one native frame (little endian, samples interleaved) into <paramref name="destination"/>; returns the
    /// bytes written (even). Bytes of <paramref name="destination"/> after that count may be overwritten (packets are
    /// copied in whole vectors). Allocates nothing for rows of up to 4096 columns.
    /// </summary>
    public static int Encode(ReadOnlySpan<byte> frame, DicomFrameFormat format, Span<byte> destination)
    {
        Validate(format);
        if (frame.Length < format.FrameLength) throw new ArgumentException($"frame has {frame.Length} bytes, {format.FrameLength} needed");
        if (destination.Length < MaxEncodedLength(format)) throw new ArgumentException("destination is smaller than MaxEncodedLength");
        destination[..HeaderLength].Clear();
        var segments = format.SegmentCount;
        BinaryPrimitives.WriteUInt32LittleEndian(destination, (uint)segments);

        var columns = format.Columns;
        byte[]? rentedRow = null;
        ulong[]? rentedMasks = null;
        var row = columns <= StackColumns
            ? stackalloc byte[PackBitsRowEncoder.RowBufferLength(StackColumns)]
            : (rentedRow = ArrayPool<byte>.Shared.Rent(PackBitsRowEncoder.RowBufferLength(columns)));
        var masks = columns <= StackColumns
            ? stackalloc ulong[PackBitsRowEncoder.MaskLength(StackColumns)]
            : (rentedMasks = ArrayPool<ulong>.Shared.Rent(PackBitsRowEncoder.MaskLength(columns)));
        try
        {
            var pos = HeaderLength;
            var pixelStride = format.SamplesPerPixel * format.BytesPerSample;
            var rowLength = columns * pixelStride;
            for (var s = 0; s < segments; s++)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(destination[(4 + s * 4)..], (uint)pos);
                var offset = ByteOffset(format, s);
                for (var r = 0; r < format.Rows; r++)
                {
                    BytePlanes.Extract(frame.Slice(r * rowLength, rowLength), offset, pixelStride, row[..columns]);
                    pos += PackBitsRowEncoder.Encode(row, columns, masks, destination[pos..]);
                }
                if ((pos & 1) == 1) destination[pos++] = 0;
            }
            return pos;
        }
        finally
        {
            if (rentedRow is not null) ArrayPool<byte>.Shared.Return(rentedRow);
            if (rentedMasks is not null) ArrayPool<ulong>.Shared.Return(rentedMasks);
        }
    }

    public static byte[] Encode(ReadOnlySpan<byte> frame, DicomFrameFormat format)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(MaxEncodedLength(format));
        try
        {
            var n = Encode(frame, format, buffer);
            return buffer.AsSpan(0, n).ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Decodes one RLE frame into a native frame (little endian, samples interleaved).</summary>
    public static void Decode(ReadOnlySpan<byte> encoded, DicomFrameFormat format, Span<byte> destination)
    {
        Validate(format);
        if (destination.Length < format.FrameLength) throw new ArgumentException($"destination has {destination.Length} bytes, {format.FrameLength} needed");
        if (encoded.Length < HeaderLength) throw new DicomFormatException($"RLE frame of {encoded.Length} bytes is shorter than its header");
        var segments = BinaryPrimitives.ReadUInt32LittleEndian(encoded);
        if (segments != format.SegmentCount)
            throw new DicomFormatException($"RLE frame has {segments} segments; {format.SegmentCount} expected for {format.BitsAllocated} bits x {format.SamplesPerPixel} samples");
        if (format is { SamplesPerPixel: 1, BytesPerSample: 2 }) DecodeTwoPlanes(encoded, format, destination);
        else DecodePlaneByPlane(encoded, format, destination);
    }

    /// <summary>16-bit grey: both segments are read row by row in step, so the two plane rows stay in L1 until interleaved.</summary>
    private static void DecodeTwoPlanes(ReadOnlySpan<byte> encoded, DicomFrameFormat format, Span<byte> destination)
    {
        var columns = format.Columns;
        byte[]? rented = null;
        var stride = columns + PackBitsReader.Slack;
        var rows = columns <= StackColumns ? stackalloc byte[2 * (StackColumns + PackBitsReader.Slack)] : (rented = ArrayPool<byte>.Shared.Rent(2 * stride));
        try
        {
            var high = rows[..stride];
            var low = rows.Slice(stride, stride);
            var highReader = new PackBitsReader(Segment(encoded, 0, 2));
            var lowReader = new PackBitsReader(Segment(encoded, 1, 2));
            for (var r = 0; r < format.Rows; r++)
            {
                var got = highReader.Read(high, columns);
                if (got < columns) throw ShortSegment(0, r * columns + got, format.PixelCount);
                got = lowReader.Read(low, columns);
                if (got < columns) throw ShortSegment(1, r * columns + got, format.PixelCount);
                BytePlanes.Interleave16(high[..columns], low[..columns], destination.Slice(r * columns * 2, columns * 2));
            }
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Any other layout: each segment is unpacked into a contiguous plane, then scattered into place.</summary>
    private static void DecodePlaneByPlane(ReadOnlySpan<byte> encoded, DicomFrameFormat format, Span<byte> destination)
    {
        var segments = format.SegmentCount;
        var pixelStride = format.SamplesPerPixel * format.BytesPerSample;
        var pixels = format.PixelCount;
        var plane = pixelStride == 1 ? null : ArrayPool<byte>.Shared.Rent(pixels);
        try
        {
            for (var s = 0; s < segments; s++)
            {
                // The rented plane may take the reader's vector overshoot; the caller's destination may not.
                var target = plane is null ? destination[..pixels] : plane.AsSpan();
                var reader = new PackBitsReader(Segment(encoded, s, segments));
                var produced = reader.Read(target, pixels);
                if (produced < pixels) throw ShortSegment(s, produced, pixels);
                if (plane is not null) Scatter(target[..pixels], destination, ByteOffset(format, s), pixelStride);
            }
        }
        finally
        {
            if (plane is not null) ArrayPool<byte>.Shared.Return(plane);
        }
    }

    private static ReadOnlySpan<byte> Segment(ReadOnlySpan<byte> encoded, int s, int segments)
    {
        var start = BinaryPrimitives.ReadUInt32LittleEndian(encoded[(4 + s * 4)..]);
        var end = s + 1 < segments ? BinaryPrimitives.ReadUInt32LittleEndian(encoded[(8 + s * 4)..]) : (uint)encoded.Length;
        if (start < HeaderLength || start > end || end > encoded.Length)
            throw new DicomFormatException($"RLE segment {s} offsets {start}..{end} are outside the {encoded.Length}-byte frame");
        return encoded[(int)start..(int)end];
    }

    private static DicomFormatException ShortSegment(int s, int produced, int pixels) =>
        new($"RLE segment {s} decodes to {produced} bytes, {pixels} expected");

    /// <summary>Where segment <paramref name="s"/>'s byte sits in an interleaved pixel: segments go most significant byte first.</summary>
    private static int ByteOffset(DicomFrameFormat format, int s)
    {
        var sample = s / format.BytesPerSample;
        var byteInSample = format.BytesPerSample - 1 - s % format.BytesPerSample;
        return sample * format.BytesPerSample + byteInSample;
    }

    private static void Validate(DicomFrameFormat format)
    {
        format.Validate();
        if (format.SegmentCount > 15) throw new ArgumentException("RLE allows at most 15 segments");
    }

    private static void Scatter(ReadOnlySpan<byte> plane, Span<byte> destination, int offset, int stride)
    {
        var d = destination[offset..];
        for (var i = 0; i < plane.Length; i++) d[i * stride] = plane[i];
    }
}
