using System.Buffers.Binary;
using System.Text;

namespace CathLab.Dicom.Network.Pdus;

/// <summary>Reads big-endian PDU fields from a span and refuses to step past its end.</summary>
internal ref struct PduSpanReader(ReadOnlySpan<byte> data)
{
    private readonly ReadOnlySpan<byte> _data = data;
    private int _position;

    public readonly int Remaining => _data.Length - _position;

    public byte ReadByte()
    {
        Need(1, "byte");
        return _data[_position++];
    }

    public ushort ReadUInt16()
    {
        Need(2, "16-bit field");
        var value = BinaryPrimitives.ReadUInt16BigEndian(_data[_position..]);
        _position += 2;
        return value;
    }

    public uint ReadUInt32()
    {
        Need(4, "32-bit field");
        var value = BinaryPrimitives.ReadUInt32BigEndian(_data[_position..]);
        _position += 4;
        return value;
    }

    public ReadOnlySpan<byte> ReadBytes(int count, string what)
    {
        Need(count, what);
        var slice = _data.Slice(_position, count);
        _position += count;
        return slice;
    }

    public void Skip(int count, string what) => ReadBytes(count, what);

    /// <summary>An AE title or UID: ASCII, padded with spaces or a trailing NUL, which are trimmed.</summary>
    public string ReadText(int count, string what, int maxLength)
    {
        if (count > maxLength)
        {
            throw new PduFormatException($"{what} is {count} bytes, more than the {maxLength} allowed");
        }
        var raw = ReadBytes(count, what);
        foreach (var b in raw)
        {
            if (b is < 0x20 and not 0 || b > 0x7E)
            {
                throw new PduFormatException($"{what} contains a non-printable byte 0x{b:X2}");
            }
        }
        return Encoding.ASCII.GetString(raw).TrimEnd('\0', ' ').TrimStart(' ');
    }

    private readonly void Need(int count, string what)
    {
        if (count < 0 || count > Remaining)
        {
            throw new PduFormatException($"PDU truncated: {what} needs {count} bytes, {Remaining} left");
        }
    }
}
