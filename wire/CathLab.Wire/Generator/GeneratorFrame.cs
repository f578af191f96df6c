namespace CathLab.Wire.Generator;

/// <summary>Layout of one generator-link frame:
/// STX | LEN | SEQ (u16 LE) | TYPE | PAYLOAD (LEN bytes) | CRC-16 (u16 LE, over LEN..PAYLOAD) | ETX.</summary>
public static class GeneratorFrame
{
    public const byte Stx = 0x02;
    public const byte Etx = 0x03;
    public const int MaxPayload = 250;
    public const int Overhead = 8;
    public const int MaxFrame = MaxPayload + Overhead;

    /// <summary>Writes one frame into <paramref name="destination"/> and returns its length.</summary>
    public static int Encode(Span<byte> destination, ushort sequence, MessageType type, ReadOnlySpan<byte> payload)
    {
        if (payload.Length > MaxPayload)
        {
            throw new ArgumentException($"payload of {payload.Length} bytes exceeds the {MaxPayload}-byte limit", nameof(payload));
        }
        int length = payload.Length + Overhead;
        if (destination.Length < length)
        {
            throw new ArgumentException("destination too small for the frame", nameof(destination));
        }
        destination[0] = Stx;
        destination[1] = (byte)payload.Length;
        destination[2] = (byte)sequence;
        destination[3] = (byte)(sequence >> 8);
        destination[4] = (byte)type;
        payload.CopyTo(destination[5..]);
        ushort crc = Crc16.Compute(destination.Slice(1, 4 + payload.Length));
        destination[5 + payload.Length] = (byte)crc;
        destination[6 + payload.Length] = (byte)(crc >> 8);
        destination[7 + payload.Length] = Etx;
        return length;
    }
}
