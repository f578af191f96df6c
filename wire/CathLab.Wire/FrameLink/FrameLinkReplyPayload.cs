using System.Buffers.Binary;
using System.Text;

namespace CathLab.Wire.FrameLink;

/// <summary>Payload of an <see cref="FrameLinkMessageType.Error"/> message:
/// code (u16) | request type (u16, 0 when the request could not be read) | reason (UTF-8, the rest).</summary>
public readonly record struct FrameLinkError(FrameLinkErrorCode Code, ushort RequestType, string Reason)
{
    public const int MaxReasonChars = 200;
    public const int MaxSize = 4 + 3 * MaxReasonChars;

    public int Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(destination, (ushort)Code);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[2..], RequestType);
        var reason = Reason.Length > MaxReasonChars ? Reason[..MaxReasonChars] : Reason;
        int written = Encoding.UTF8.GetBytes(reason, destination[4..]);
        return 4 + written;
    }

    public static FrameLinkError Read(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < 4)
        {
            throw new ArgumentException("an error payload is at least 4 bytes", nameof(payload));
        }
        return new FrameLinkError(
            (FrameLinkErrorCode)BinaryPrimitives.ReadUInt16LittleEndian(payload),
            BinaryPrimitives.ReadUInt16LittleEndian(payload[2..]),
            Encoding.UTF8.GetString(payload[4..]));
    }
}

/// <summary>Payload of an <see cref="FrameLinkMessageType.Ack"/> message: request type (u16) | argument (u32).</summary>
public static class FrameLinkAck
{
    public const int Size = 6;

    public static void Write(Span<byte> destination, in FrameLinkRequest request)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(destination, (ushort)request.Type);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[2..], request.Argument);
    }

    public static FrameLinkRequest Read(ReadOnlySpan<byte> payload) => new(
        (FrameLinkRequestType)BinaryPrimitives.ReadUInt16LittleEndian(payload),
        BinaryPrimitives.ReadUInt32LittleEndian(payload[2..]));
}
