using System.Buffers.Binary;

namespace CathLab.Dicom.Codecs.JpegLs;

/// <summary>The scan's bit stream (T.87 A.1): most significant bit first, a zero bit stuffed after every 0xFF byte so
/// that no marker appears inside the scan.</summary>
internal ref struct JpegLsBitWriter
{
    private readonly Span<byte> _output;
    private ulong _bits;
    private int _count;
    private bool _afterFF;

    public JpegLsBitWriter(Span<byte> output, int position)
    {
        _output = output;
        Position = position;
    }

    public int Position { get; private set; }

    /// <summary>Appends the low <paramref name="length"/> (at most 32) bits of <paramref name="value"/>. Bits wait until 32
    /// are pending; four bytes without 0xFF among them (nearly always) then go out in one store.</summary>
    public void Append(uint value, int length)
    {
        _bits = (_bits << length) | value;
        _count += length;
        if (_count < 32) return;
        var word = (uint)(_bits >> (_count - 32));
        var inverted = ~word;
        if (!_afterFF && ((inverted - 0x01010101u) & ~inverted & 0x80808080u) == 0)
        {
            BinaryPrimitives.WriteUInt32BigEndian(_output[Position..], word);
            Position += 4;
            _count -= 32;
            return;
        }
        while (_count >= 8) EmitByte();
    }

    public void AppendZeros(int length)
    {
        while (length > 24)
        {
            Append(0, 24);
            length -= 24;
        }
        Append(0, length);
    }

    /// <summary>Pads the last byte with zeros; a final 0xFF is followed by a zero byte (its stuffed bit and padding).</summary>
    public void Flush()
    {
        while (_count >= 8) EmitByte();
        if (_count > 0)
        {
            var width = _afterFF ? 7 : 8;
            _bits <<= width - _count;
            _count = width;
            EmitByte();
        }
        if (_afterFF)
        {
            _output[Position++] = 0;
            _afterFF = false;
        }
    }

    private void EmitByte()
    {
        var width = _afterFF ? 7 : 8;
        var b = (byte)((_bits >> (_count - width)) & ((1u << width) - 1));
        _count -= width;
        _output[Position++] = b;
        _afterFF = b == 0xFF;
    }
}
