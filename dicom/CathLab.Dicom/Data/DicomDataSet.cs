using System.Buffers.Binary;
using System.Collections;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using CathLab.Dicom.Dictionary;

namespace CathLab.Dicom.Data;

/// <summary>
/// A DICOM data set: elements kept in ascending tag order. Setters that take no VR look the VR up in
/// <see cref="DicomDictionary"/>. Getters throw <see cref="KeyNotFoundException"/> for a missing tag; the
/// TryGet/…OrDefault forms do not.
/// </summary>
public sealed class DicomDataSet : IEnumerable<DicomElement>
{
    private readonly SortedList<DicomTag, DicomElement> _elements = [];

    public DicomDataSet() { }

    public DicomDataSet(IEnumerable<DicomElement> elements)
    {
        foreach (var e in elements) Add(e);
    }

    public int Count => _elements.Count;

    public DicomElement this[DicomTag tag] => _elements.TryGetValue(tag, out var e) ? e : throw new KeyNotFoundException($"{tag} {DicomDictionary.KeywordOf(tag)} is not in the data set");

    public bool Contains(DicomTag tag) => _elements.ContainsKey(tag);

    public bool TryGet(DicomTag tag, out DicomElement element) => _elements.TryGetValue(tag, out element!);

    public bool TryGet<T>(DicomTag tag, out T element) where T : DicomElement
    {
        if (_elements.TryGetValue(tag, out var e) && e is T t)
        {
            element = t;
            return true;
        }
        element = null!;
        return false;
    }

    public bool Remove(DicomTag tag) => _elements.Remove(tag);

    /// <summary>Adds or replaces an element.</summary>
    public DicomDataSet Add(DicomElement element)
    {
        _elements[element.Tag] = element;
        return this;
    }

    /// <summary>Text encoding of this data set's strings from its Specific Character Set; null when it has none (inherit).</summary>
    public Encoding? OwnEncoding => TryGet<DicomStringElement>(DicomTagsCore.SpecificCharacterSet, out var cs) && cs.Value.Length > 0
        ? DicomCharacterSet.ForSpecificCharacterSet(cs.Value) : null;

    /// <summary>A new data set with the same elements (shallow: values are immutable, sequences are copied deeply).</summary>
    public DicomDataSet Clone()
    {
        var copy = new DicomDataSet();
        foreach (var e in _elements.Values)
            copy.Add(e is DicomSequence sq ? new DicomSequence(sq.Tag, sq.Items.Select(i => i.Clone())) : e);
        return copy;
    }

    public IEnumerator<DicomElement> GetEnumerator() => _elements.Values.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    // ----- setters -------------------------------------------------------------------------------

    /// <summary>Sets a string element; several values are joined with '\'. VR from the dictionary.</summary>
    public DicomDataSet SetString(DicomTag tag, params string[] values) => SetString(tag, VRFor(tag), values);

    public DicomDataSet SetString(DicomTag tag, DicomVR vr, params string[] values)
    {
        if (vr.IsString()) return Add(new DicomStringElement(tag, vr, string.Join('\\', values)));
        // A numeric VR given as text ("512"): parse and store binary.
        var numbers = values.Select(v => double.Parse(v, NumberStyles.Float, CultureInfo.InvariantCulture)).ToArray();
        return SetNumbers(tag, vr, numbers);
    }

    /// <summary>Sets integer values: US, SS, UL, SL, SV, UV, IS, DS, FL, FD or OW per the tag's VR.</summary>
    public DicomDataSet SetInt(DicomTag tag, params int[] values) => SetNumbers(tag, VRFor(tag), values.Select(v => (double)v).ToArray());

    public DicomDataSet SetInt(DicomTag tag, DicomVR vr, params int[] values) => SetNumbers(tag, vr, values.Select(v => (double)v).ToArray());

    /// <summary>Sets real values: DS, FL, FD (or an integer VR when the values are whole) per the tag's VR.</summary>
    public DicomDataSet SetDouble(DicomTag tag, params double[] values) => SetNumbers(tag, VRFor(tag), values);

    public DicomDataSet SetDouble(DicomTag tag, DicomVR vr, params double[] values) => SetNumbers(tag, vr, values);

    public DicomDataSet SetUInt16(DicomTag tag, params ushort[] values) =>
        Add(new DicomBinaryElement(tag, DicomVR.US, MemoryMarshal.AsBytes(values.AsSpan()).ToArray()));

    public DicomDataSet SetUInt32(DicomTag tag, params uint[] values) =>
        Add(new DicomBinaryElement(tag, DicomVR.UL, MemoryMarshal.AsBytes(values.AsSpan()).ToArray()));

    /// <summary>Sets raw little-endian bytes for a binary VR (OB, OW, UN, ...).</summary>
    public DicomDataSet SetBytes(DicomTag tag, DicomVR vr, ReadOnlyMemory<byte> data) => Add(new DicomBinaryElement(tag, vr, data));

    /// <summary>Sets AT values.</summary>
    public DicomDataSet SetTags(DicomTag tag, params DicomTag[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(i * 4), values[i].Group);
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(i * 4 + 2), values[i].Element);
        }
        return Add(new DicomBinaryElement(tag, DicomVR.AT, bytes));
    }

    /// <summary>Sets a sequence with the given items and returns it (to add more items later).</summary>
    public DicomSequence SetSequence(DicomTag tag, params DicomDataSet[] items)
    {
        var sq = new DicomSequence(tag, items);
        Add(sq);
        return sq;
    }

    /// <summary>An element with no value (type 2 attributes), of the tag's dictionary VR.</summary>
    public DicomDataSet SetEmpty(DicomTag tag)
    {
        var vr = VRFor(tag);
        return vr == DicomVR.SQ ? Add(new DicomSequence(tag)) : vr.IsString() ? Add(new DicomStringElement(tag, vr, "")) : Add(new DicomBinaryElement(tag, vr, ReadOnlyMemory<byte>.Empty));
    }

    private DicomDataSet SetNumbers(DicomTag tag, DicomVR vr, double[] values)
    {
        switch (vr)
        {
            case DicomVR.IS:
                return Add(new DicomStringElement(tag, vr, string.Join('\\', values.Select(v => ((long)v).ToString(CultureInfo.InvariantCulture)))));
            case DicomVR.DS:
                return Add(new DicomStringElement(tag, vr, string.Join('\\', values.Select(DecimalString.Format))));
        }
        var size = vr.ValueSize();
        if (size == 0 || vr is DicomVR.OB or DicomVR.UN or DicomVR.AT) throw new ArgumentException($"{tag} has VR {vr.Code()}, which does not hold numbers");
        var bytes = new byte[values.Length * size];
        var span = bytes.AsSpan();
        for (var i = 0; i < values.Length; i++)
        {
            var v = values[i];
            var d = span[(i * size)..];
            switch (vr)
            {
                case DicomVR.US or DicomVR.OW: BinaryPrimitives.WriteUInt16LittleEndian(d, checked((ushort)v)); break;
                case DicomVR.SS: BinaryPrimitives.WriteInt16LittleEndian(d, checked((short)v)); break;
                case DicomVR.UL or DicomVR.OL: BinaryPrimitives.WriteUInt32LittleEndian(d, checked((uint)v)); break;
                case DicomVR.SL: BinaryPrimitives.WriteInt32LittleEndian(d, checked((int)v)); break;
                case DicomVR.FL or DicomVR.OF: BinaryPrimitives.WriteSingleLittleEndian(d, (float)v); break;
                case DicomVR.FD or DicomVR.OD: BinaryPrimitives.WriteDoubleLittleEndian(d, v); break;
                case DicomVR.SV: BinaryPrimitives.WriteInt64LittleEndian(d, checked((long)v)); break;
                case DicomVR.UV or DicomVR.OV: BinaryPrimitives.WriteUInt64LittleEndian(d, checked((ulong)v)); break;
            }
        }
        return Add(new DicomBinaryElement(tag, vr, bytes));
    }

    private static DicomVR VRFor(DicomTag tag) =>
        DicomDictionary.TryGet(tag, out var e) ? e.VR : throw new ArgumentException($"{tag} is not in the dictionary; give its VR");

    // ----- getters -------------------------------------------------------------------------------

    /// <summary>The whole string value (multiple values joined by '\'), trimmed of padding; numbers are formatted.</summary>
    public string GetString(DicomTag tag) => this[tag] switch
    {
        DicomStringElement s => s.VR.IsSingleValuedText() ? s.Value.TrimEnd(' ', '\0') : s.Value.Trim(' ', '\0'),
        DicomBinaryElement b when b.VR is DicomVR.AT => string.Join('\\', Enumerable.Range(0, b.Count).Select(i => b.GetTag(i).ToString())),
        DicomBinaryElement b when b.VR.ValueSize() > 1 && b.Count > 0 && b.VR is not DicomVR.OW and not DicomVR.OF and not DicomVR.OD and not DicomVR.OL and not DicomVR.OV
            => string.Join('\\', Enumerable.Range(0, b.Count).Select(i => b.GetDouble(i).ToString(CultureInfo.InvariantCulture))),
        DicomBinaryElement { Count: 0 } => "",
        var e => throw new InvalidOperationException($"{tag} is {e.VR.Code()}, not a string"),
    };

    public string? GetStringOrDefault(DicomTag tag, string? fallback = null) => Contains(tag) ? GetString(tag) : fallback;

    /// <summary>The values of a string element (split at '\').</summary>
    public string[] GetStrings(DicomTag tag) => this[tag] switch
    {
        DicomStringElement s => s.Values,
        _ => GetString(tag) is { Length: > 0 } v ? v.Split('\\') : [],
    };

    public int GetInt(DicomTag tag, int index = 0) => checked((int)GetInt64(tag, index));

    public int GetIntOrDefault(DicomTag tag, int fallback = 0, int index = 0) => TryGetValueCount(tag) > index ? GetInt(tag, index) : fallback;

    public long GetInt64(DicomTag tag, int index = 0) => this[tag] switch
    {
        DicomStringElement s => (long)Math.Round(double.Parse(ValueAt(s, index), NumberStyles.Float, CultureInfo.InvariantCulture)),
        DicomBinaryElement b => b.GetInt64(index),
        var e => throw new InvalidOperationException($"{tag} is {e.VR.Code()}, not a number"),
    };

    public double GetDouble(DicomTag tag, int index = 0) => this[tag] switch
    {
        DicomStringElement s => double.Parse(ValueAt(s, index), NumberStyles.Float, CultureInfo.InvariantCulture),
        DicomBinaryElement b => b.GetDouble(index),
        var e => throw new InvalidOperationException($"{tag} is {e.VR.Code()}, not a number"),
    };

    public double GetDoubleOrDefault(DicomTag tag, double fallback = 0, int index = 0) => TryGetValueCount(tag) > index ? GetDouble(tag, index) : fallback;

    public double[] GetDoubles(DicomTag tag)
    {
        var n = TryGetValueCount(tag);
        var result = new double[n];
        for (var i = 0; i < n; i++) result[i] = GetDouble(tag, i);
        return result;
    }

    public ushort GetUInt16(DicomTag tag, int index = 0) => checked((ushort)GetInt64(tag, index));

    public ushort[] GetUInt16Array(DicomTag tag) => this[tag] is DicomBinaryElement { VR: DicomVR.US or DicomVR.OW or DicomVR.SS } b
        ? b.AsSpan<ushort>().ToArray()
        : throw new InvalidOperationException($"{tag} is not US/SS/OW");

    public DicomTag GetTag(DicomTag tag, int index = 0) => this[tag] is DicomBinaryElement { VR: DicomVR.AT } b
        ? b.GetTag(index) : throw new InvalidOperationException($"{tag} is not AT");

    public ReadOnlyMemory<byte> GetBytes(DicomTag tag) => this[tag] is DicomBinaryElement b
        ? b.Data : throw new InvalidOperationException($"{tag} is not binary");

    public DicomSequence GetSequence(DicomTag tag) => this[tag] as DicomSequence ?? throw new InvalidOperationException($"{tag} is not a sequence");

    public bool TryGetSequence(DicomTag tag, out DicomSequence sequence) => TryGet(tag, out sequence);

    /// <summary>Number of values of an element (0 when absent or empty).</summary>
    public int TryGetValueCount(DicomTag tag) => _elements.TryGetValue(tag, out var e) ? e switch
    {
        DicomStringElement s => s.ValueMultiplicity,
        DicomBinaryElement b => b.Count,
        DicomSequence sq => sq.Items.Count,
        _ => 1,
    } : 0;

    private static string ValueAt(DicomStringElement s, int index)
    {
        var values = s.Values;
        if (index >= values.Length) throw new IndexOutOfRangeException($"{s.Tag} has {values.Length} values");
        return values[index];
    }
}
