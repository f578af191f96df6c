using System.Buffers;
using CathLab.Dicom.Codecs;
using CathLab.Dicom.Data;
using CathLab.Dicom.IO;

namespace CathLab.Dicom.Files;

/// <summary>Converts whole in-memory pixel data between native frames and encoded fragments (one fragment per frame).</summary>
internal static class PixelDataFrames
{
    public static DicomFragmentSequence Encode(IDicomFrameCodec codec, DicomBinaryElement native, DicomFrameFormat format, int frames)
    {
        var data = native.Data.Span;
        if (data.Length < (long)format.FrameLength * frames)
            throw new DicomFormatException($"pixel data has {data.Length} bytes, {frames} frames of {format.FrameLength} expected");
        var result = new DicomFragmentSequence(DicomTag.PixelData);
        var buffer = ArrayPool<byte>.Shared.Rent(codec.MaxEncodedLength(format));
        try
        {
            uint offset = 0;
            for (var f = 0; f < frames; f++)
            {
                var n = codec.Encode(data.Slice(f * format.FrameLength, format.FrameLength), format, buffer);
                result.OffsetTable.Add(offset);
                result.Fragments.Add(buffer.AsSpan(0, n).ToArray());
                offset += (uint)(8 + n);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return result;
    }

    public static DicomBinaryElement Decode(IDicomFrameCodec codec, DicomFragmentSequence fragments, DicomFrameFormat format, int frames)
    {
        var output = new byte[(long)format.FrameLength * frames + ((long)format.FrameLength * frames & 1)];
        var perFrame = FrameFragments.Map(fragments.OffsetTable, fragments.Fragments.Select(f => (long)f.Length).ToList(), frames);
        for (var f = 0; f < frames; f++)
        {
            var (first, count) = perFrame[f];
            var encoded = count == 1 ? fragments.Fragments[first] : Concat(fragments.Fragments.Skip(first).Take(count));
            codec.Decode(encoded.Span, format, output.AsSpan(f * format.FrameLength, format.FrameLength));
        }
        return new DicomBinaryElement(DicomTag.PixelData, format.BitsAllocated > 8 ? DicomVR.OW : DicomVR.OB, output);
    }

    private static ReadOnlyMemory<byte> Concat(IEnumerable<ReadOnlyMemory<byte>> parts)
    {
        var list = parts.ToList();
        var result = new byte[list.Sum(p => p.Length)];
        var pos = 0;
        foreach (var p in list)
        {
            p.Span.CopyTo(result.AsSpan(pos));
            pos += p.Length;
        }
        return result;
    }
}

/// <summary>Which fragments make up each frame (PS3.5 A.4): by the Basic Offset Table, one per frame, or all for one frame.</summary>
internal static class FrameFragments
{
    /// <param name="offsetTable">Basic Offset Table entries (may be empty).</param>
    /// <param name="fragmentLengths">Value length of each fragment, in order.</param>
    public static (int First, int Count)[] Map(IReadOnlyList<uint> offsetTable, IReadOnlyList<long> fragmentLengths, int frames)
    {
        if (frames <= 0) throw new DicomFormatException($"Number of Frames {frames} is not positive");
        var result = new (int, int)[frames];
        if (frames == 1)
        {
            if (fragmentLengths.Count == 0) throw new DicomFormatException("encapsulated pixel data has no fragments");
            result[0] = (0, fragmentLengths.Count);
            return result;
        }
        if (offsetTable.Count == frames)
        {
            // Offsets are from the first fragment's item tag; find the fragment that starts at each.
            var starts = new long[fragmentLengths.Count];
            long pos = 0;
            for (var i = 0; i < starts.Length; i++)
            {
                starts[i] = pos;
                pos += 8 + fragmentLengths[i];
            }
            for (var f = 0; f < frames; f++)
            {
                var first = Array.BinarySearch(starts, (long)offsetTable[f]);
                var next = f + 1 < frames ? Array.BinarySearch(starts, (long)offsetTable[f + 1]) : starts.Length;
                if (first < 0 || next < 0 || next <= first) throw new DicomFormatException($"Basic Offset Table entry {f} does not point at a fragment");
                result[f] = (first, next - first);
            }
            return result;
        }
        if (fragmentLengths.Count == frames)
        {
            for (var f = 0; f < frames; f++) result[f] = (f, 1);
            return result;
        }
        throw new DicomFormatException($"{fragmentLengths.Count} fragments for {frames} frames without a Basic Offset Table");
    }
}
