using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace CathLab.Dicom.Network.Attributes;

/// <summary>
/// A small DICOM data set for what DIMSE services carry besides images: C-FIND identifiers, MPPS attribute lists,
/// storage commitment requests and reports. Encodes and decodes implicit and explicit VR little endian, nested sequences
/// included. A narrow adapter kept inside the network project (see README): images go through CathLab.Dicom.
/// </summary>
public sealed class AttributeSet
{
    private const int MaxDepth = 16;
    private readonly SortedDictionary<uint, AttributeElement> _elements = [];

    public IEnumerable<AttributeElement> Elements => _elements.Values;

    public int Count => _elements.Count;

    public bool Contains(uint tag) => _elements.ContainsKey(tag);

    public AttributeElement? this[uint tag] => _elements.GetValueOrDefault(tag);

    public AttributeSet Set(uint tag, string vr, string? value)
    {
        var text = value ?? "";
        if (text.Length % 2 == 1)
        {
            text += vr == "UI" ? '\0' : ' ';
        }
        _elements[tag] = new AttributeElement(tag, vr, Encoding.ASCII.GetBytes(text));
        return this;
    }

    public AttributeSet SetUInt16(uint tag, ushort value)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, value);
        _elements[tag] = new AttributeElement(tag, "US", bytes);
        return this;
    }

    public AttributeSet SetSequence(uint tag, params AttributeSet[] items)
    {
        _elements[tag] = new AttributeElement(tag, "SQ", [], items);
        return this;
    }

    public AttributeSet SetElement(AttributeElement element)
    {
        _elements[element.Tag] = element;
        return this;
    }

    public AttributeSet Remove(uint tag)
    {
        _elements.Remove(tag);
        return this;
    }

    public string? GetString(uint tag) =>
        _elements.TryGetValue(tag, out var e) && e.Items is null ? Encoding.ASCII.GetString(e.Value).TrimEnd('\0', ' ') : null;

    public ushort? GetUInt16(uint tag) =>
        _elements.TryGetValue(tag, out var e) && e.Value.Length >= 2 ? BinaryPrimitives.ReadUInt16LittleEndian(e.Value) : null;

    public int? GetInt(uint tag) =>
        int.TryParse(GetString(tag), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : null;

    public IReadOnlyList<AttributeSet> GetSequence(uint tag) =>
        _elements.TryGetValue(tag, out var e) && e.Items is { } items ? items : [];

    public byte[] Encode(string transferSyntax)
    {
        var explicitVr = IsExplicit(transferSyntax);
        using var output = new MemoryStream();
        Write(output, this, explicitVr);
        return output.ToArray();
    }

    public static AttributeSet Decode(ReadOnlySpan<byte> bytes, string transferSyntax)
    {
        var explicitVr = IsExplicit(transferSyntax);
        var position = 0;
        return Read(bytes, ref position, bytes.Length, explicitVr, 0);
    }

    public static AttributeSet Decode(Stream stream, string transferSyntax)
    {
        if (stream.Length > 16 << 20)
        {
            throw new InvalidDataException($"an attribute set of {stream.Length} bytes is far beyond any identifier or N-service data set");
        }
        var bytes = new byte[stream.Length - stream.Position];
        stream.ReadExactly(bytes);
        return Decode(bytes, transferSyntax);
    }

    public override string ToString() =>
        string.Join("; ", _elements.Values.Select(e => $"({e.Tag >> 16:X4},{e.Tag & 0xFFFF:X4}) {e.Vr} " + (e.Items is { } items ? $"[{items.Count} items]" : GetString(e.Tag))));

    private static bool IsExplicit(string transferSyntax) => transferSyntax switch
    {
        "1.2.840.10008.1.2" => false,
        "1.2.840.10008.1.2.1" => true,
        _ => throw new NotSupportedException($"attribute sets are encoded in implicit or explicit VR little endian, not {transferSyntax}"),
    };

    private static readonly HashSet<string> LongFormVrs = ["OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV"];

    private static void Write(Stream output, AttributeSet set, bool explicitVr)
    {
        Span<byte> header = stackalloc byte[12];
        foreach (var e in set._elements.Values)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(header, (ushort)(e.Tag >> 16));
            BinaryPrimitives.WriteUInt16LittleEndian(header[2..], (ushort)e.Tag);
            var undefined = e.Items is not null;
            var length = undefined ? 0xFFFFFFFFu : (uint)e.Value.Length;
            if (!explicitVr)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(header[4..], length);
                output.Write(header[..8]);
            }
            else if (LongFormVrs.Contains(e.Vr))
            {
                Encoding.ASCII.GetBytes(e.Vr, header[4..]);
                header[6] = 0;
                header[7] = 0;
                BinaryPrimitives.WriteUInt32LittleEndian(header[8..], length);
                output.Write(header);
            }
            else
            {
                Encoding.ASCII.GetBytes(e.Vr, header[4..]);
                BinaryPrimitives.WriteUInt16LittleEndian(header[6..], (ushort)length);
                output.Write(header[..8]);
            }
            if (e.Items is { } items)
            {
                foreach (var item in items)
                {
                    WriteDelimiter(output, 0xE000, 0xFFFFFFFF);
                    Write(output, item, explicitVr);
                    WriteDelimiter(output, 0xE00D, 0);
                }
                WriteDelimiter(output, 0xE0DD, 0);
            }
            else
            {
                output.Write(e.Value);
            }
        }
    }

    private static void WriteDelimiter(Stream output, ushort element, uint length)
    {
        Span<byte> d = stackalloc byte[8];
        BinaryPrimitives.WriteUInt16LittleEndian(d, 0xFFFE);
        BinaryPrimitives.WriteUInt16LittleEndian(d[2..], element);
        BinaryPrimitives.WriteUInt32LittleEndian(d[4..], length);
        output.Write(d);
    }

    private static AttributeSet Read(ReadOnlySpan<byte> bytes, ref int position, int end, bool explicitVr, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new InvalidDataException("sequences nested too deep");
        }
        var set = new AttributeSet();
        while (position < end)
        {
            Need(bytes, position, 8, end);
            var group = BinaryPrimitives.ReadUInt16LittleEndian(bytes[position..]);
            var element = BinaryPrimitives.ReadUInt16LittleEndian(bytes[(position + 2)..]);
            var tag = (uint)group << 16 | element;
            if (tag == 0xFFFEE00D)
            {
                position += 8;
                return set; // item delimiter of an undefined-length item
            }
            string vr;
            uint length;
            if (explicitVr)
            {
                vr = Encoding.ASCII.GetString(bytes.Slice(position + 4, 2));
                if (LongFormVrs.Contains(vr))
                {
                    Need(bytes, position, 12, end);
                    length = BinaryPrimitives.ReadUInt32LittleEndian(bytes[(position + 8)..]);
                    position += 12;
                }
                else
                {
                    length = BinaryPrimitives.ReadUInt16LittleEndian(bytes[(position + 6)..]);
                    position += 8;
                }
            }
            else
            {
                length = BinaryPrimitives.ReadUInt32LittleEndian(bytes[(position + 4)..]);
                position += 8;
                vr = length == 0xFFFFFFFF || LooksLikeSequence(bytes, position, length, end) ? "SQ" : "UN";
            }
            if (vr == "SQ")
            {
                set._elements[tag] = new AttributeElement(tag, "SQ", [], ReadItems(bytes, ref position, length, end, explicitVr, depth));
                continue;
            }
            if (length == 0xFFFFFFFF || length > (uint)(end - position))
            {
                throw new InvalidDataException($"element ({group:X4},{element:X4}) declares {length} bytes, {end - position} left");
            }
            set._elements[tag] = new AttributeElement(tag, vr, bytes.Slice(position, (int)length).ToArray());
            position += (int)length;
        }
        return set;
    }

    private static List<AttributeSet> ReadItems(ReadOnlySpan<byte> bytes, ref int position, uint length, int end, bool explicitVr, int depth)
    {
        var items = new List<AttributeSet>();
        var sequenceEnd = length == 0xFFFFFFFF ? end : checked(position + (int)Math.Min(length, (uint)(end - position)));
        if (length != 0xFFFFFFFF && length > (uint)(end - position))
        {
            throw new InvalidDataException($"sequence declares {length} bytes, {end - position} left");
        }
        while (position < sequenceEnd)
        {
            Need(bytes, position, 8, sequenceEnd);
            var tag = BinaryPrimitives.ReadUInt32LittleEndian(bytes[position..]);
            var itemLength = BinaryPrimitives.ReadUInt32LittleEndian(bytes[(position + 4)..]);
            position += 8;
            if (tag == 0xE0DDFFFE)
            {
                return items; // sequence delimiter
            }
            if (tag != 0xE000FFFE)
            {
                throw new InvalidDataException($"expected an item in a sequence, found tag {tag:X8}");
            }
            if (itemLength == 0xFFFFFFFF)
            {
                items.Add(Read(bytes, ref position, sequenceEnd, explicitVr, depth + 1));
            }
            else
            {
                if (itemLength > (uint)(sequenceEnd - position))
                {
                    throw new InvalidDataException($"item declares {itemLength} bytes, {sequenceEnd - position} left");
                }
                var itemEnd = position + (int)itemLength;
                items.Add(Read(bytes, ref position, itemEnd, explicitVr, depth + 1));
                position = itemEnd;
            }
        }
        return items;
    }

    // Implicit VR carries no VR: a defined-length value that starts with an item tag is taken as a sequence.
    private static bool LooksLikeSequence(ReadOnlySpan<byte> bytes, int position, uint length, int end) =>
        length >= 8 && length <= (uint)(end - position) && BinaryPrimitives.ReadUInt32LittleEndian(bytes[position..]) == 0xE000FFFE;

    private static void Need(ReadOnlySpan<byte> bytes, int position, int count, int end)
    {
        if (position + count > end || position + count > bytes.Length)
        {
            throw new InvalidDataException($"data set truncated at byte {position}");
        }
    }
}
