using System.Buffers.Binary;
using System.Text;

namespace CathLab.Wire.Generator;

/// <summary>Writes little-endian payload fields into a span.</summary>
public ref struct PayloadWriter(Span<byte> destination)
{
    private readonly Span<byte> _destination = destination;

    public int Length { get; private set; }

    public ReadOnlySpan<byte> Written => _destination[..Length];

    public void U8(byte value) => _destination[Length++] = value;

    public void U16(ushort value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(_destination[Length..], value);
        Length += 2;
    }

    public void U32(uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(_destination[Length..], value);
        Length += 4;
    }

    public void U64(ulong value)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(_destination[Length..], value);
        Length += 8;
    }

    /// <summary>A fixed-point value: <paramref name="value"/> divided by <paramref name="unit"/>, rounded, in 16 bits.</summary>
    public void Fixed16(double value, double unit)
    {
        double scaled = Math.Round(value / unit);
        if (scaled is < 0 or > ushort.MaxValue || double.IsNaN(scaled))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, $"not representable in units of {unit}");
        }
        U16((ushort)scaled);
    }

    /// <summary>Short ASCII text with a one-byte length prefix, cut at <paramref name="maxLength"/> characters.</summary>
    public void Text(string text, int maxLength = 64)
    {
        int length = Math.Min(text.Length, maxLength);
        U8((byte)length);
        for (int i = 0; i < length; i++)
        {
            char c = text[i];
            _destination[Length++] = c is >= ' ' and <= '~' ? (byte)c : (byte)'?';
        }
    }

    public void Technique(in Technique technique)
    {
        Fixed16(technique.Kv, TechniqueUnits.Kv);
        Fixed16(technique.Ma, TechniqueUnits.Ma);
        Fixed16(technique.PulseWidthMs, TechniqueUnits.PulseWidthMs);
    }
}

/// <summary>Reads little-endian payload fields; any read past the end throws <see cref="MalformedPayloadException"/>.</summary>
public ref struct PayloadReader(ReadOnlySpan<byte> source)
{
    private readonly ReadOnlySpan<byte> _source = source;
    private int _offset;

    public readonly int Remaining => _source.Length - _offset;

    public byte U8()
    {
        Need(1);
        return _source[_offset++];
    }

    public ushort U16()
    {
        Need(2);
        ushort value = BinaryPrimitives.ReadUInt16LittleEndian(_source[_offset..]);
        _offset += 2;
        return value;
    }

    public uint U32()
    {
        Need(4);
        uint value = BinaryPrimitives.ReadUInt32LittleEndian(_source[_offset..]);
        _offset += 4;
        return value;
    }

    public ulong U64()
    {
        Need(8);
        ulong value = BinaryPrimitives.ReadUInt64LittleEndian(_source[_offset..]);
        _offset += 8;
        return value;
    }

    // Dividing by the whole number of steps per unit gives the nearest double to the decimal value (612.3, not 612.30000000000007).
    public double Fixed16(double unit) => U16() / Math.Round(1 / unit);

    public string Text()
    {
        int length = U8();
        Need(length);
        string text = Encoding.ASCII.GetString(_source.Slice(_offset, length));
        _offset += length;
        return text;
    }

    public Technique Technique() => new(Fixed16(TechniqueUnits.Kv), Fixed16(TechniqueUnits.Ma), Fixed16(TechniqueUnits.PulseWidthMs));

    /// <summary>Checks that nothing is left over: a longer payload than the message defines is malformed.</summary>
    public readonly void End()
    {
        if (Remaining != 0)
        {
            throw new MalformedPayloadException($"{Remaining} unexpected bytes after the last field");
        }
    }

    private readonly void Need(int count)
    {
        if (Remaining < count)
        {
            throw new MalformedPayloadException($"payload ends {count - Remaining} bytes short");
        }
    }
}

public sealed class MalformedPayloadException(string message) : FormatException(message);

/// <summary>The fixed-point units of technique fields on the wire.</summary>
public static class TechniqueUnits
{
    public const double Kv = 0.1;
    public const double Ma = 0.1;
    public const double PulseWidthMs = 0.01;
    public const double PulseRate = 0.1;
}
