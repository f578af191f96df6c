using System.Buffers.Binary;
using System.Text;

namespace CathLab.LiveFeed.Broker;

/// <summary>The header of one message on a live-feed subject, followed on the wire by the run id (UTF-8) and the
/// payload (an encoded image, or a serialized <c>ExamEvent</c>). Little-endian, fixed 44-byte header; see
/// docs/relay.md.</summary>
public readonly record struct FrameEnvelope(
    EnvelopeKind Kind, int VariantIndex, bool LastImageHold, long FrameNumber, long ReadyUnixMicroseconds,
    int SourceWidth, int SourceHeight, int ImageWidth, int ImageHeight)
{
    public const int HeaderLength = 44;
    public const byte Version = 1;
    private const int MaxRunIdBytes = 255;

    public static int LengthOf(string runId, int payloadLength) => HeaderLength + Encoding.UTF8.GetByteCount(runId) + payloadLength;

    /// <summary>Writes header, run id and payload into <paramref name="destination"/>; returns the bytes written.</summary>
    public int Write(Span<byte> destination, string runId, ReadOnlySpan<byte> payload)
    {
        int runBytes = Encoding.UTF8.GetBytes(runId, destination[HeaderLength..]);
        if (runBytes > MaxRunIdBytes) throw new ArgumentException("a run id longer than 255 bytes", nameof(runId));
        "CLF"u8.CopyTo(destination);
        destination[3] = Version;
        destination[4] = (byte)Kind;
        destination[5] = (byte)VariantIndex;
        destination[6] = LastImageHold ? (byte)1 : (byte)0;
        destination[7] = (byte)runBytes;
        BinaryPrimitives.WriteInt64LittleEndian(destination[8..], FrameNumber);
        BinaryPrimitives.WriteInt64LittleEndian(destination[16..], ReadyUnixMicroseconds);
        BinaryPrimitives.WriteInt32LittleEndian(destination[24..], SourceWidth);
        BinaryPrimitives.WriteInt32LittleEndian(destination[28..], SourceHeight);
        BinaryPrimitives.WriteInt32LittleEndian(destination[32..], ImageWidth);
        BinaryPrimitives.WriteInt32LittleEndian(destination[36..], ImageHeight);
        BinaryPrimitives.WriteInt32LittleEndian(destination[40..], payload.Length);
        payload.CopyTo(destination[(HeaderLength + runBytes)..]);
        return HeaderLength + runBytes + payload.Length;
    }

    /// <summary>Reads a message; false (nothing thrown) when it is not a well-formed envelope of this version.</summary>
    public static bool TryRead(ReadOnlySpan<byte> message, out FrameEnvelope envelope, out ReadOnlySpan<byte> runId, out ReadOnlySpan<byte> payload)
    {
        envelope = default;
        runId = payload = default;
        if (message.Length < HeaderLength || !message.StartsWith("CLF"u8) || message[3] != Version) return false;
        var kind = (EnvelopeKind)message[4];
        if (kind is not (EnvelopeKind.Frame or EnvelopeKind.Event)) return false;
        int runBytes = message[7];
        int payloadLength = BinaryPrimitives.ReadInt32LittleEndian(message[40..]);
        if (payloadLength < 0 || (long)HeaderLength + runBytes + payloadLength != message.Length) return false;
        envelope = new FrameEnvelope(kind, message[5], (message[6] & 1) != 0,
            BinaryPrimitives.ReadInt64LittleEndian(message[8..]), BinaryPrimitives.ReadInt64LittleEndian(message[16..]),
            BinaryPrimitives.ReadInt32LittleEndian(message[24..]), BinaryPrimitives.ReadInt32LittleEndian(message[28..]),
            BinaryPrimitives.ReadInt32LittleEndian(message[32..]), BinaryPrimitives.ReadInt32LittleEndian(message[36..]));
        if (kind == EnvelopeKind.Frame && (envelope.SourceWidth <= 0 || envelope.SourceHeight <= 0 || envelope.ImageWidth < 0 || envelope.ImageHeight <= 0 || envelope.VariantIndex >= Tiers.StreamVariant.All.Count)) return false;
        runId = message.Slice(HeaderLength, runBytes);
        payload = message.Slice(HeaderLength + runBytes, payloadLength);
        return true;
    }
}

public enum EnvelopeKind : byte
{
    Frame = 1,
    Event = 2,
}
