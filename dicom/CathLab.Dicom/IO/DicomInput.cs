using System.Buffers;
using System.Buffers.Binary;

namespace CathLab.Dicom.IO;

/// <summary>
/// Buffered little-endian reading from a stream, with the absolute position and, when it can be known,
/// the number of bytes left: a declared length is checked against it before anything is allocated.
/// </summary>
internal sealed class DicomInput : IDisposable
{
    private const int BufferSize = 64 * 1024;
    private readonly Stream _stream;
    private readonly byte[] _buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
    private readonly long _end; // absolute end, or long.MaxValue when unknown
    private long _bufferStart; // absolute position of _buffer[0]
    private int _pos;
    private int _count;

    public DicomInput(Stream stream, long? maxLength = null)
    {
        _stream = stream;
        _bufferStart = stream.CanSeek ? stream.Position : 0;
        var end = long.MaxValue;
        if (stream.CanSeek) end = stream.Length;
        if (maxLength is { } m) end = Math.Min(end, _bufferStart + m);
        _end = end;
    }

    public long Position => _bufferStart + _pos;

    public bool LengthKnown => _end != long.MaxValue;

    /// <summary>Bytes left before the end of input, or long.MaxValue when unknown.</summary>
    public long Remaining => LengthKnown ? _end - Position : long.MaxValue;

    public bool AtEnd => !Fill(1);

    public ushort ReadUInt16()
    {
        Require(2);
        var v = BinaryPrimitives.ReadUInt16LittleEndian(_buffer.AsSpan(_pos));
        _pos += 2;
        return v;
    }

    public uint ReadUInt32()
    {
        Require(4);
        var v = BinaryPrimitives.ReadUInt32LittleEndian(_buffer.AsSpan(_pos));
        _pos += 4;
        return v;
    }

    public void ReadExactly(Span<byte> destination)
    {
        while (destination.Length > 0)
        {
            Require(1);
            var n = Math.Min(destination.Length, _count - _pos);
            _buffer.AsSpan(_pos, n).CopyTo(destination);
            _pos += n;
            destination = destination[n..];
        }
    }

    /// <summary>Reads a value of <paramref name="length"/> bytes, refusing lengths the input cannot hold.</summary>
    public byte[] ReadBytes(uint length)
    {
        CheckLength(length);
        if (LengthKnown)
        {
            var result = new byte[length];
            ReadExactly(result);
            return result;
        }
        // Unknown end: grow as bytes really arrive so that a bogus length cannot allocate more than ~2x what exists.
        var writer = new ArrayBufferWriter<byte>((int)Math.Min(length, 1 << 20));
        var left = (long)length;
        while (left > 0)
        {
            Require(1);
            var n = (int)Math.Min(left, _count - _pos);
            writer.Write(_buffer.AsSpan(_pos, n));
            _pos += n;
            left -= n;
        }
        return writer.WrittenSpan.ToArray();
    }

    public void Skip(long length)
    {
        if (length < 0) throw new ArgumentOutOfRangeException(nameof(length));
        if (LengthKnown && length > Remaining) throw Error($"skip of {length} bytes passes the end of input ({Remaining} left)");
        var inBuffer = Math.Min(length, _count - _pos);
        _pos += (int)inBuffer;
        length -= inBuffer;
        if (length == 0) return;
        if (_stream.CanSeek)
        {
            _bufferStart = Position + length;
            _pos = _count = 0;
            _stream.Position = _bufferStart;
            return;
        }
        while (length > 0)
        {
            Require(1);
            var n = (int)Math.Min(length, _count - _pos);
            _pos += n;
            length -= n;
        }
    }

    /// <summary>Steps back over bytes just read (they are still in the buffer).</summary>
    public void Unread(int count)
    {
        if (count > _pos) throw new InvalidOperationException("cannot step back past the buffer");
        _pos -= count;
    }

    public void CheckLength(uint length)
    {
        if (LengthKnown && length > Remaining)
            throw Error($"declared length {length} exceeds the {Remaining} bytes left");
    }

    /// <summary>Puts a seekable stream at <see cref="Position"/> (it may have been read ahead into the buffer).</summary>
    public void SyncStreamPosition()
    {
        if (_stream.CanSeek) _stream.Position = Position;
    }

    public DicomFormatException Error(string message) => new($"{message} (at byte {Position})") { Offset = Position };

    private void Require(int n)
    {
        if (!Fill(n)) throw Error($"unexpected end of input: {n} more bytes needed");
    }

    private bool Fill(int n)
    {
        if (_count - _pos >= n) return true;
        if (_pos > 0)
        {
            Buffer.BlockCopy(_buffer, _pos, _buffer, 0, _count - _pos);
            _bufferStart += _pos;
            _count -= _pos;
            _pos = 0;
        }
        while (_count < n)
        {
            var want = _buffer.Length - _count;
            if (LengthKnown) want = (int)Math.Min(want, _end - (_bufferStart + _count));
            if (want <= 0) return false;
            var read = _stream.Read(_buffer, _count, want);
            if (read <= 0) return false;
            _count += read;
        }
        return true;
    }

    public void Dispose() => ArrayPool<byte>.Shared.Return(_buffer);
}
