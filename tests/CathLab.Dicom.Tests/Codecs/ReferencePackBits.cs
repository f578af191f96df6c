using System.Buffers.Binary;
using CathLab.Dicom.Data;

namespace CathLab.Dicom.Tests.Codecs;

/// <summary>
/// A plain byte-at-a-time PackBits reading of an RLE frame that also checks the encoder kept to PS3.5 G.3.1:
/// every row of every segment is its own packets, no -128 headers. And a plain scalar encoder to compare sizes with.
/// </summary>
internal static class ReferencePackBits
{
    public static byte[] DecodeCheckingRows(byte[] encoded, DicomFrameFormat format)
    {
        var segments = BinaryPrimitives.ReadInt32LittleEndian(encoded);
        Assert.Equal(format.SegmentCount, segments);
        var frame = new byte[format.FrameLength];
        var stride = format.SegmentCount;
        for (var s = 0; s < segments; s++)
        {
            var pos = BinaryPrimitives.ReadInt32LittleEndian(encoded.AsSpan(4 + 4 * s));
            var end = s + 1 < segments ? BinaryPrimitives.ReadInt32LittleEndian(encoded.AsSpan(8 + 4 * s)) : encoded.Length;
            Assert.Equal(0, pos % 2);
            var offset = s / format.BytesPerSample * format.BytesPerSample + format.BytesPerSample - 1 - s % format.BytesPerSample;
            for (var r = 0; r < format.Rows; r++)
            {
                var c = 0;
                while (c < format.Columns)
                {
                    var header = (sbyte)encoded[pos++];
                    Assert.NotEqual(-128, header);
                    var count = header >= 0 ? header + 1 : 1 - header;
                    Assert.True(c + count <= format.Columns, $"segment {s} row {r}: a packet of {count} at column {c} crosses the row end");
                    for (var i = 0; i < count; i++, c++)
                        frame[(r * format.Columns + c) * stride + offset] = header >= 0 ? encoded[pos + i] : encoded[pos];
                    pos += header >= 0 ? count : 1;
                }
            }
            Assert.True(end - pos is 0 or 1, $"segment {s} has {end - pos} bytes after its last row");
        }
        return frame;
    }

    /// <summary>Greedy scalar PackBits of one frame's segments (without header): the size the old encoder produced.</summary>
    public static int ScalarEncodedLength(byte[] frame, DicomFrameFormat format)
    {
        var total = 64;
        var stride = format.SegmentCount;
        var row = new byte[format.Columns];
        for (var s = 0; s < format.SegmentCount; s++)
        {
            var offset = s / format.BytesPerSample * format.BytesPerSample + format.BytesPerSample - 1 - s % format.BytesPerSample;
            for (var r = 0; r < format.Rows; r++)
            {
                for (var c = 0; c < row.Length; c++) row[c] = frame[(r * format.Columns + c) * stride + offset];
                var i = 0;
                while (i < row.Length)
                {
                    var run = 1;
                    while (i + run < row.Length && run < 128 && row[i + run] == row[i]) run++;
                    if (run >= 2)
                    {
                        total += 2;
                        i += run;
                        continue;
                    }
                    var start = i++;
                    while (i < row.Length && i - start < 128 && !(i + 2 < row.Length && row[i] == row[i + 1] && row[i] == row[i + 2])) i++;
                    total += 1 + i - start;
                }
            }
            total += total & 1;
        }
        return total;
    }
}
