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

    /// <summary>Largest encoded size of a frame (worst case: one literal header per 128 bytes, row padding, segment padding).</summary>
    public static int MaxEncodedLength(DicomFrameFormat format)
    {
        var rowWorst = format.Columns + (format.Columns + 127) / 128;
        return HeaderLength + format.SegmentCount * (format.Rows * rowWorst + 1);
    }

    /// <summary>Encodes one native frame (little endian, samples interleaved) into <paramref name="destination"/>; returns the bytes written (even).</summary>
    public static int Encode(ReadOnlySpan<byte> frame, DicomFrameFormat format, Span<byte> destination)
    {
        Validate(format);
        if (frame.Length < format.FrameLength) throw new ArgumentException($"frame has {frame.Length} bytes, {format.FrameLength} needed");
        if (destination.Length < MaxEncodedLength(format)) throw new ArgumentException("destination is smaller than MaxEncodedLength");
        destination[..HeaderLength].Clear();
        var segments = format.SegmentCount;
        BinaryPrimitives.WriteUInt32LittleEndian(destination, (uint)segments);
        var row = ArrayPool<byte>.Shared.Rent(format.Columns);
        try
        {
            var pos = HeaderLength;
            var pixelStride = format.SamplesPerPixel * format.BytesPerSample;
            for (var s = 0; s < segments; s++)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(destination[(4 + s * 4)..], (uint)pos);
                var sample = s / format.BytesPerSample;
                var byteInSample = format.BytesPerSample - 1 - s % format.BytesPerSample;
                var offset = sample * format.BytesPerSample + byteInSample;
                for (var r = 0; r < format.Rows; r++)
                {
                    var rowStart = r * format.Columns * pixelStride + offset;
                    var plane = row.AsSpan(0, format.Columns);
                    if (pixelStride == 1) frame.Slice(rowStart, format.Columns).CopyTo(plane);
                    else for (var c = 0; c < plane.Length; c++) plane[c] = frame[rowStart + c * pixelStride];
                    pos += PackRow(plane, destination[pos..]);
                }
                if ((pos & 1) == 1) destination[pos++] = 0;
            }
            return pos;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(row);
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

    private static void Validate(DicomFrameFormat format)
    {
        format.Validate();
        if (format.SegmentCount > 15) throw new ArgumentException("RLE allows at most 15 segments");
    }

    private static int PackRow(ReadOnlySpan<byte> row, Span<byte> output)
    {
        var o = 0;
        var i = 0;
        while (i < row.Length)
        {
            var run = 1;
            while (i + run < row.Length && run < 128 && row[i + run] == row[i]) run++;
            if (run >= 2)
            {
                output[o++] = (byte)(sbyte)(1 - run);
                output[o++] = row[i];
                i += run;
                continue;
            }
            var start = i++;
            while (i < row.Length && i - start < 128)
            {
                // Leave a literal only for a run of three or more: shorter runs would cost more than they save.
                if (i + 2 < row.Length && row[i] == row[i + 1] && row[i] == row[i + 2]) break;
                i++;
            }
            var n = i - start;
            output[o++] = (byte)(n - 1);
            row.Slice(start, n).CopyTo(output[o..]);
            o += n;
        }
        return o;
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
        var pixelStride = format.SamplesPerPixel * format.BytesPerSample;
        var pixels = format.PixelCount;
        // Each segment is unpacked into a contiguous plane (runs become Fill/CopyTo), then scattered into place.
        var plane = pixelStride == 1 ? null : ArrayPool<byte>.Shared.Rent(pixels);
        try
        {
            for (var s = 0; s < (int)segments; s++)
            {
                var start = BinaryPrimitives.ReadUInt32LittleEndian(encoded[(4 + s * 4)..]);
                var end = s + 1 < segments ? BinaryPrimitives.ReadUInt32LittleEndian(encoded[(8 + s * 4)..]) : (uint)encoded.Length;
                if (start < HeaderLength || start > end || end > encoded.Length)
                    throw new DicomFormatException($"RLE segment {s} offsets {start}..{end} are outside the {encoded.Length}-byte frame");
                var sample = s / format.BytesPerSample;
                var byteInSample = format.BytesPerSample - 1 - s % format.BytesPerSample;
                var target = plane is null ? destination[..pixels] : plane.AsSpan(0, pixels);
                var produced = UnpackSegment(encoded[(int)start..(int)end], target);
                if (produced < pixels) throw new DicomFormatException($"RLE segment {s} decodes to {produced} bytes, {pixels} expected");
                if (plane is not null) Scatter(target, destination, sample * format.BytesPerSample + byteInSample, pixelStride);
            }
        }
        finally
        {
            if (plane is not null) ArrayPool<byte>.Shared.Return(plane);
        }
    }

    private static void Scatter(ReadOnlySpan<byte> plane, Span<byte> destination, int offset, int stride)
    {
        var d = destination[offset..];
        for (var i = 0; i < plane.Length; i++) d[i * stride] = plane[i];
    }

    private static int UnpackSegment(ReadOnlySpan<byte> segment, Span<byte> plane)
    {
        var count = plane.Length;
        var produced = 0;
        var i = 0;
        while (i < segment.Length && produced < count)
        {
            var n = (sbyte)segment[i++];
            if (n >= 0)
            {
                var len = n + 1;
                if (i + len > segment.Length) throw new DicomFormatException("RLE literal run passes the end of its segment");
                var take = Math.Min(len, count - produced);
                segment.Slice(i, take).CopyTo(plane[produced..]);
                i += len;
                produced += take;
            }
            else if (n != -128)
            {
                if (i >= segment.Length) throw new DicomFormatException("RLE replicate run without its byte");
                var value = segment[i++];
                var take = Math.Min(1 - n, count - produced);
                plane.Slice(produced, take).Fill(value);
                produced += take;
            }
        }
        return produced;
    }
}
