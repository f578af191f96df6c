namespace CathLab.Wire.Generator;

/// <summary>What <see cref="GeneratorFrameDecoder.TryDecode"/> found.</summary>
public enum DecodeOutcome
{
    NeedMoreBytes,
    Frame,
    /// <summary>A frame start whose CRC or end byte was wrong; <see cref="GeneratorFrameDecoder.ErrorReason"/> says which.</summary>
    DamagedFrame,
}

/// <summary>Finds frames in a byte stream that may hold noise, damaged, truncated and dropped bytes.
/// After damage it resynchronises on the next STX. Not thread-safe: one reader feeds it.</summary>
public sealed class GeneratorFrameDecoder
{
    private readonly byte[] _buffer = new byte[4 * GeneratorFrame.MaxFrame];
    private int _start;
    private int _end;

    public ushort Sequence { get; private set; }
    public MessageType Type { get; private set; }
    public int PayloadLength { get; private set; }
    public RefusalReason ErrorReason { get; private set; }

    /// <summary>Bytes skipped while looking for a frame start.</summary>
    public long DiscardedBytes { get; private set; }

    /// <summary>The payload of the frame last decoded; valid until the next call that changes the decoder.</summary>
    public ReadOnlySpan<byte> Payload => _buffer.AsSpan(_payloadOffset, PayloadLength);
    private int _payloadOffset;

    /// <summary>True while part of a frame is waiting for its remaining bytes.</summary>
    public bool HasPartialFrame => _end > _start;

    /// <summary>Appends received bytes; returns how many were taken (all unless the buffer is full of undecoded data).</summary>
    public int Append(ReadOnlySpan<byte> bytes)
    {
        Compact();
        int n = Math.Min(bytes.Length, _buffer.Length - _end);
        bytes[..n].CopyTo(_buffer.AsSpan(_end));
        _end += n;
        return n;
    }

    /// <summary>Drops a partial frame whose remaining bytes never came (the line went quiet), so the next frame is found.</summary>
    public void DropPartialFrame()
    {
        if (_end > _start)
        {
            _start++;
            DiscardedBytes++;
        }
    }

    public DecodeOutcome TryDecode()
    {
        while (true)
        {
            int stx = _buffer.AsSpan(_start, _end - _start).IndexOf(GeneratorFrame.Stx);
            if (stx < 0)
            {
                DiscardedBytes += _end - _start;
                _start = _end = 0;
                return DecodeOutcome.NeedMoreBytes;
            }
            DiscardedBytes += stx;
            _start += stx;
            int available = _end - _start;
            if (available < 2)
            {
                return DecodeOutcome.NeedMoreBytes;
            }
            int payloadLength = _buffer[_start + 1];
            if (payloadLength > GeneratorFrame.MaxPayload)
            {
                return Damaged(RefusalReason.Malformed, 0);
            }
            int frameLength = payloadLength + GeneratorFrame.Overhead;
            if (available < frameLength)
            {
                return DecodeOutcome.NeedMoreBytes;
            }
            var frame = _buffer.AsSpan(_start, frameLength);
            ushort sequence = (ushort)(frame[2] | frame[3] << 8);
            if (frame[frameLength - 1] != GeneratorFrame.Etx)
            {
                return Damaged(RefusalReason.Malformed, sequence);
            }
            ushort crc = (ushort)(frame[5 + payloadLength] | frame[6 + payloadLength] << 8);
            if (crc != Crc16.Compute(frame.Slice(1, 4 + payloadLength)))
            {
                return Damaged(RefusalReason.CrcError, sequence);
            }
            Sequence = sequence;
            Type = (MessageType)frame[4];
            PayloadLength = payloadLength;
            _payloadOffset = _start + 5;
            _start += frameLength;
            return DecodeOutcome.Frame;
        }
    }

    private DecodeOutcome Damaged(RefusalReason reason, ushort sequence)
    {
        // Skip only the false or damaged STX: a real frame may start inside the bytes that followed it.
        _start++;
        DiscardedBytes++;
        ErrorReason = reason;
        Sequence = sequence;
        PayloadLength = 0;
        return DecodeOutcome.DamagedFrame;
    }

    private void Compact()
    {
        if (_start == 0)
        {
            return;
        }
        int remaining = _end - _start;
        Buffer.BlockCopy(_buffer, _start, _buffer, 0, remaining);
        _start = 0;
        _end = remaining;
    }
}
