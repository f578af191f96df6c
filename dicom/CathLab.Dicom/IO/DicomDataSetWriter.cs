using System.Buffers;
using System.IO.Compression;
using System.Text;
using CathLab.Dicom.Data;

namespace CathLab.Dicom.IO;

/// <summary>
/// Encodes a data set in implicit VR LE, explicit VR LE or deflated explicit VR LE: values padded to even
/// length (space for text, NUL for UI and binary), sequences with undefined or computed lengths.
/// </summary>
public static class DicomDataSetWriter
{
    public static void Write(Stream output, DicomDataSet dataSet, DicomTransferSyntax syntax, DicomWriteOptions? options = null)
    {
        options ??= DicomWriteOptions.Default;
        if (syntax.IsDeflated)
        {
            using var deflater = new DeflateStream(output, options.DeflateLevel, leaveOpen: true);
            using var buffered = new BufferedStream(deflater, 64 * 1024);
            new DicomEncoder(buffered, syntax.IsExplicitVR, options).WriteDataSet(dataSet, DicomCharacterSet.Default, topLevel: true);
            buffered.Flush();
            return;
        }
        new DicomEncoder(output, syntax.IsExplicitVR, options).WriteDataSet(dataSet, DicomCharacterSet.Default, topLevel: true);
    }

    public static byte[] ToArray(DicomDataSet dataSet, DicomTransferSyntax syntax, DicomWriteOptions? options = null)
    {
        using var ms = new MemoryStream();
        Write(ms, dataSet, syntax, options);
        return ms.ToArray();
    }

    /// <summary>Encodes into <paramref name="destination"/> and returns the bytes written; throws when it is too small.</summary>
    public static int Write(Span<byte> destination, DicomDataSet dataSet, DicomTransferSyntax syntax, DicomWriteOptions? options = null)
    {
        var bytes = ToArray(dataSet, syntax, options);
        if (bytes.Length > destination.Length) throw new ArgumentException($"destination holds {destination.Length} bytes; {bytes.Length} needed", nameof(destination));
        bytes.CopyTo(destination);
        return bytes.Length;
    }

    /// <summary>Writes one element (with its header) as it would appear in a data set.</summary>
    public static void WriteElement(Stream output, DicomElement element, DicomTransferSyntax syntax, Encoding? encoding = null, DicomWriteOptions? options = null) =>
        new DicomEncoder(output, syntax.IsExplicitVR, options ?? DicomWriteOptions.Default).WriteElement(element, encoding ?? DicomCharacterSet.Default);

    /// <summary>Encoded length of a (non-deflated) data set, e.g. for a group length.</summary>
    public static long MeasureLength(DicomDataSet dataSet, DicomTransferSyntax syntax, DicomWriteOptions? options = null) =>
        new DicomEncoder(Stream.Null, syntax.IsExplicitVR, options ?? DicomWriteOptions.Default).MeasureDataSet(dataSet, DicomCharacterSet.Default, topLevel: true);
}

/// <summary>The element writer behind <see cref="DicomDataSetWriter"/>.</summary>
internal sealed class DicomEncoder(Stream output, bool explicitVR, DicomWriteOptions options)
{
    public void WriteDataSet(DicomDataSet ds, Encoding inherited, bool topLevel)
    {
        var encoding = ds.OwnEncoding ?? inherited;
        foreach (var e in ds)
        {
            if (Skips(e, topLevel)) continue;
            WriteElement(e, encoding);
        }
    }

    private bool Skips(DicomElement e, bool topLevel) =>
        options.DropGroupLengths && e.Tag.IsGroupLength && (e.Tag.Group > 0x0002 || !topLevel);

    public void WriteElement(DicomElement e, Encoding encoding)
    {
        switch (e)
        {
            case DicomSequence sq:
                WriteSequence(sq, encoding);
                return;
            case DicomFragmentSequence frags:
                WriteFragments(frags);
                return;
            case DicomStringElement s:
            {
                var enc = s.VR.UsesSpecificCharacterSet() ? encoding : DicomCharacterSet.Default;
                var byteCount = enc.GetByteCount(s.Value);
                var padded = byteCount + (byteCount & 1);
                var rented = ArrayPool<byte>.Shared.Rent(Math.Max(padded, 1));
                try
                {
                    var n = enc.GetBytes(s.Value, rented);
                    if ((n & 1) == 1) rented[n++] = s.VR.PaddingByte();
                    DicomElementHeader.Write(output, e.Tag, s.VR, (uint)n, explicitVR);
                    output.Write(rented, 0, n);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(rented);
                }
                return;
            }
            case DicomBinaryElement b:
            {
                var data = b.Data.Span;
                var odd = (data.Length & 1) == 1;
                DicomElementHeader.Write(output, e.Tag, b.VR, checked((uint)(data.Length + (odd ? 1 : 0))), explicitVR);
                output.Write(data);
                if (odd) output.WriteByte(0);
                return;
            }
            default:
                throw new InvalidOperationException($"cannot encode {e.GetType().Name}");
        }
    }

    private void WriteSequence(DicomSequence sq, Encoding encoding)
    {
        if (options.UndefinedLengthSequences)
        {
            DicomElementHeader.Write(output, sq.Tag, DicomVR.SQ, DicomElementHeader.UndefinedLength, explicitVR);
            foreach (var item in sq.Items)
            {
                DicomElementHeader.WriteItemHeader(output, DicomTag.Item, DicomElementHeader.UndefinedLength);
                WriteDataSet(item, encoding, topLevel: false);
                DicomElementHeader.WriteItemHeader(output, DicomTag.ItemDelimitationItem, 0);
            }
            DicomElementHeader.WriteItemHeader(output, DicomTag.SequenceDelimitationItem, 0);
            return;
        }
        var length = MeasureSequenceContent(sq, encoding);
        DicomElementHeader.Write(output, sq.Tag, DicomVR.SQ, checked((uint)length), explicitVR);
        foreach (var item in sq.Items)
        {
            DicomElementHeader.WriteItemHeader(output, DicomTag.Item, checked((uint)MeasureDataSet(item, encoding, false)));
            WriteDataSet(item, encoding, topLevel: false);
        }
    }

    private void WriteFragments(DicomFragmentSequence frags)
    {
        DicomElementHeader.Write(output, frags.Tag, DicomVR.OB, DicomElementHeader.UndefinedLength, explicitVR);
        DicomElementHeader.WriteItemHeader(output, DicomTag.Item, (uint)(frags.OffsetTable.Count * 4));
        Span<byte> four = stackalloc byte[4];
        foreach (var offset in frags.OffsetTable)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(four, offset);
            output.Write(four);
        }
        foreach (var f in frags.Fragments)
        {
            var odd = (f.Length & 1) == 1;
            DicomElementHeader.WriteItemHeader(output, DicomTag.Item, (uint)(f.Length + (odd ? 1 : 0)));
            output.Write(f.Span);
            if (odd) output.WriteByte(0);
        }
        DicomElementHeader.WriteItemHeader(output, DicomTag.SequenceDelimitationItem, 0);
    }

    public long MeasureDataSet(DicomDataSet ds, Encoding inherited, bool topLevel)
    {
        var encoding = ds.OwnEncoding ?? inherited;
        long total = 0;
        foreach (var e in ds)
            if (!Skips(e, topLevel)) total += MeasureElement(e, encoding);
        return total;
    }

    private long MeasureElement(DicomElement e, Encoding encoding)
    {
        var header = DicomElementHeader.SizeOf(e.VR, explicitVR);
        switch (e)
        {
            case DicomSequence sq:
                return options.UndefinedLengthSequences
                    ? header + sq.Items.Sum(i => 16 + MeasureDataSet(i, encoding, false)) + 8
                    : header + MeasureSequenceContent(sq, encoding);
            case DicomFragmentSequence f:
                return DicomElementHeader.SizeOf(DicomVR.OB, explicitVR) + 8 + f.OffsetTable.Count * 4 + f.Fragments.Sum(x => 8 + x.Length + (x.Length & 1)) + 8;
            case DicomStringElement s:
            {
                var enc = s.VR.UsesSpecificCharacterSet() ? encoding : DicomCharacterSet.Default;
                var n = enc.GetByteCount(s.Value);
                return header + n + (n & 1);
            }
            case DicomBinaryElement b:
                return header + b.Data.Length + (b.Data.Length & 1);
            default:
                throw new InvalidOperationException($"cannot encode {e.GetType().Name}");
        }
    }

    private long MeasureSequenceContent(DicomSequence sq, Encoding encoding) =>
        options.UndefinedLengthSequences
            ? sq.Items.Sum(i => 16 + MeasureDataSet(i, encoding, false)) + 8
            : sq.Items.Sum(i => 8 + MeasureDataSet(i, encoding, false));
}
