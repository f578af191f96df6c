using System.IO.Compression;
using System.Text;
using CathLab.Dicom.Data;
using CathLab.Dicom.Dictionary;

namespace CathLab.Dicom.IO;

/// <summary>
/// Parses a data set in implicit VR LE, explicit VR LE or deflated explicit VR LE. Every declared length is
/// checked against what the input can still hold; malformed input gives <see cref="DicomFormatException"/>.
/// </summary>
public static class DicomDataSetReader
{
    public static DicomDataSet Read(Stream input, DicomTransferSyntax syntax, DicomReadOptions? options = null)
    {
        options ??= DicomReadOptions.Default;
        if (syntax.IsDeflated)
        {
            using var inflater = new DeflateStream(input, CompressionMode.Decompress, leaveOpen: true);
            return ReadPlain(inflater, syntax, options with { MaxLength = null, StopAtTag = options.StopAtTag }, wrapInflateErrors: true);
        }
        return ReadPlain(input, syntax, options, wrapInflateErrors: false);
    }

    public static DicomDataSet Read(ReadOnlyMemory<byte> data, DicomTransferSyntax syntax, DicomReadOptions? options = null)
    {
        using var stream = data.ToStream();
        return Read(stream, syntax, options);
    }

    /// <summary>Parses a data set from a span (copied first; prefer the ReadOnlyMemory overload when you have one).</summary>
    public static DicomDataSet Read(ReadOnlySpan<byte> data, DicomTransferSyntax syntax, DicomReadOptions? options = null) =>
        Read((ReadOnlyMemory<byte>)data.ToArray(), syntax, options);

    private static DicomDataSet ReadPlain(Stream stream, DicomTransferSyntax syntax, DicomReadOptions options, bool wrapInflateErrors)
    {
        using var input = new DicomInput(stream, options.MaxLength);
        try
        {
            var parser = new DicomParser(input, syntax.IsExplicitVR, options);
            var ds = parser.ReadTopLevel();
            input.SyncStreamPosition();
            return ds;
        }
        catch (InvalidDataException e) when (wrapInflateErrors)
        {
            throw new DicomFormatException("deflated data set is not valid raw deflate data", e);
        }
        catch (Exception e) when (DicomFormatException.IsMalformedInput(e))
        {
            throw new DicomFormatException($"malformed data set: {e.Message}", e) { Offset = input.Position };
        }
    }

    internal static Stream ToStream(this ReadOnlyMemory<byte> data) =>
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray(data, out var seg)
            ? new MemoryStream(seg.Array!, seg.Offset, seg.Count, writable: false)
            : new MemoryStream(data.ToArray(), writable: false);
}

/// <summary>The element-by-element parser behind <see cref="DicomDataSetReader"/>.</summary>
internal sealed class DicomParser(DicomInput input, bool explicitVR, DicomReadOptions options)
{
    private readonly Encoding _defaultEncoding = options.DefaultEncoding ?? DicomCharacterSet.Default;

    public DicomDataSet ReadTopLevel()
    {
        var ds = new DicomDataSet();
        var encoding = _defaultEncoding;
        while (!input.AtEnd)
        {
            var group = input.ReadUInt16();
            var element = input.ReadUInt16();
            var tag = new DicomTag(group, element);
            if (options.StopAtTag is { } stop && tag >= stop)
            {
                input.Unread(4);
                break;
            }
            if (tag.IsDelimiter) throw input.Error($"{tag} outside a sequence");
            var e = ReadElementBody(tag, explicitVR, encoding, 0);
            AddChecked(ds, e);
            if (e is DicomStringElement { } cs && tag == DicomTagsCore.SpecificCharacterSet)
                encoding = DicomCharacterSet.ForSpecificCharacterSet(cs.Value);
        }
        return ds;
    }

    private void AddChecked(DicomDataSet ds, DicomElement e)
    {
        if (ds.Contains(e.Tag)) throw input.Error($"{e.Tag} appears twice");
        ds.Add(e);
    }

    private DicomElement ReadElementBody(DicomTag tag, bool isExplicit, Encoding encoding, int depth)
    {
        DicomVR vr;
        uint length;
        if (isExplicit)
        {
            Span<byte> vrBytes = stackalloc byte[2];
            input.ReadExactly(vrBytes);
            if (!DicomVRInfo.TryParse(vrBytes[0], vrBytes[1], out vr))
                throw input.Error($"{tag} has unknown VR bytes 0x{vrBytes[0]:X2} 0x{vrBytes[1]:X2}");
            if (vr.HasLongLength())
            {
                input.ReadUInt16(); // reserved
                length = input.ReadUInt32();
            }
            else
            {
                length = input.ReadUInt16();
            }
        }
        else
        {
            vr = tag == DicomTag.PixelData ? DicomVR.OW : DicomDictionary.VROf(tag);
            length = input.ReadUInt32();
        }

        if (length == DicomElementHeader.UndefinedLength)
        {
            if (vr == DicomVR.SQ) return ReadSequence(tag, isExplicit, undefinedLength: true, 0, encoding, depth + 1);
            // PS3.5 6.2.2: UN of undefined length holds a sequence in implicit VR LE.
            if (vr == DicomVR.UN) return ReadSequence(tag, false, undefinedLength: true, 0, encoding, depth + 1);
            if (tag == DicomTag.PixelData && vr is DicomVR.OB or DicomVR.OW) return ReadFragments(tag, vr);
            throw input.Error($"{tag} {vr.Code()} has undefined length");
        }
        input.CheckLength(length);
        if (vr == DicomVR.SQ) return ReadSequence(tag, isExplicit, undefinedLength: false, length, encoding, depth + 1);
        if (vr == DicomVR.UN && !isExplicit && length > 0 && DicomDictionary.VROf(tag) == DicomVR.SQ)
            return ReadSequence(tag, false, false, length, encoding, depth + 1);

        var bytes = input.ReadBytes(length);
        if (vr.IsString())
        {
            var enc = vr.UsesSpecificCharacterSet() ? encoding : DicomCharacterSet.Default;
            return new DicomStringElement(tag, vr, enc.GetString(bytes).TrimEnd(' ', '\0'));
        }
        var size = vr.ValueSize();
        if (size > 1 && vr is not DicomVR.OW and not DicomVR.OB && bytes.Length % size != 0)
            throw input.Error($"{tag} {vr.Code()} length {bytes.Length} is not a multiple of {size}");
        return new DicomBinaryElement(tag, vr, bytes);
    }

    private DicomSequence ReadSequence(DicomTag tag, bool isExplicit, bool undefinedLength, uint length, Encoding encoding, int depth)
    {
        if (depth > options.MaxDepth) throw input.Error($"sequences nested deeper than {options.MaxDepth}");
        var sq = new DicomSequence(tag);
        var end = undefinedLength ? long.MaxValue : input.Position + length;
        while (input.Position < end)
        {
            var itemTag = new DicomTag(input.ReadUInt16(), input.ReadUInt16());
            var itemLength = input.ReadUInt32();
            if (itemTag == DicomTag.SequenceDelimitationItem)
            {
                if (!undefinedLength) throw input.Error($"sequence delimiter inside defined-length sequence {tag}");
                return sq;
            }
            if (itemTag != DicomTag.Item) throw input.Error($"expected an item in sequence {tag}, found {itemTag}");
            if (itemLength != DicomElementHeader.UndefinedLength)
            {
                input.CheckLength(itemLength);
                if (input.Position + itemLength > end) throw input.Error($"item of {itemLength} bytes overruns sequence {tag}");
            }
            sq.Items.Add(ReadItem(isExplicit, itemLength, encoding, depth));
        }
        if (undefinedLength) throw input.Error($"sequence {tag} has no delimiter");
        if (input.Position != end) throw input.Error($"items overrun sequence {tag}");
        return sq;
    }

    private DicomDataSet ReadItem(bool isExplicit, uint length, Encoding encoding, int depth)
    {
        var item = new DicomDataSet();
        var undefined = length == DicomElementHeader.UndefinedLength;
        var end = undefined ? long.MaxValue : input.Position + length;
        while (input.Position < end)
        {
            var tag = new DicomTag(input.ReadUInt16(), input.ReadUInt16());
            if (tag == DicomTag.ItemDelimitationItem)
            {
                input.ReadUInt32();
                if (!undefined) throw input.Error("item delimiter inside a defined-length item");
                return item;
            }
            if (tag.IsDelimiter) throw input.Error($"unexpected {tag} inside an item");
            var e = ReadElementBody(tag, isExplicit, encoding, depth);
            AddChecked(item, e);
            if (e is DicomStringElement cs && tag == DicomTagsCore.SpecificCharacterSet)
                encoding = DicomCharacterSet.ForSpecificCharacterSet(cs.Value);
        }
        if (undefined) throw input.Error("item has no delimiter");
        if (input.Position != end) throw input.Error("elements overrun their item");
        return item;
    }

    private DicomFragmentSequence ReadFragments(DicomTag tag, DicomVR vr)
    {
        var fragments = new DicomFragmentSequence(tag, vr);
        var first = true;
        while (true)
        {
            var itemTag = new DicomTag(input.ReadUInt16(), input.ReadUInt16());
            var length = input.ReadUInt32();
            if (itemTag == DicomTag.SequenceDelimitationItem) return fragments;
            if (itemTag != DicomTag.Item) throw input.Error($"expected a fragment item in {tag}, found {itemTag}");
            if (length == DicomElementHeader.UndefinedLength) throw input.Error("fragment with undefined length");
            var bytes = input.ReadBytes(length);
            if (first)
            {
                if (bytes.Length % 4 != 0) throw input.Error("Basic Offset Table length is not a multiple of 4");
                for (var i = 0; i < bytes.Length; i += 4)
                    fragments.OffsetTable.Add(System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(i)));
                first = false;
            }
            else
            {
                fragments.Fragments.Add(bytes);
            }
        }
    }
}
