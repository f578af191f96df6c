using System.Buffers.Binary;

namespace CathLab.Wire.FrameLink;

/// <summary>A fixed 16-byte little-endian request from client to detector:
/// magic "CLFR" (u32) | version (u16) | type (u16) | argument (u32) | CRC-32 of bytes 0..11 (u32).</summary>
public readonly record struct FrameLinkRequest(FrameLinkRequestType Type, uint Argument)
{
    public const uint Magic = 0x52464C43; // "CLFR" in little-endian byte order
    public const ushort Version = 1;
    public const int Size = 16;
    public const int MaxDarkFrames = 64;

    public static FrameLinkRequest Subscribe => new(FrameLinkRequestType.Subscribe, 0);
    public static FrameLinkRequest Unsubscribe => new(FrameLinkRequestType.Unsubscribe, 0);
    public static FrameLinkRequest DarkFrames(int count) => new(FrameLinkRequestType.DarkFrames, (uint)count);
    public static FrameLinkRequest SetMode(int side) => new(FrameLinkRequestType.SetMode, (uint)side);

    public void Write(Span<byte> destination)
    {
        if (destination.Length < Size)
        {
            throw new ArgumentException($"destination must hold {Size} bytes", nameof(destination));
        }
        BinaryPrimitives.WriteUInt32LittleEndian(destination, Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[4..], Version);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[6..], (ushort)Type);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[8..], Argument);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[12..], Crc32.Compute(destination[..12]));
    }

    /// <summary>Decodes the framing of a request. A request that decodes can still be refused by
    /// <see cref="Validate"/> for its type or argument.</summary>
    public static FrameLinkErrorCode? TryRead(ReadOnlySpan<byte> source, out FrameLinkRequest request)
    {
        request = default;
        if (source.Length < Size)
        {
            throw new ArgumentException($"a request is {Size} bytes", nameof(source));
        }
        if (BinaryPrimitives.ReadUInt32LittleEndian(source) != Magic)
        {
            return FrameLinkErrorCode.BadMagic;
        }
        if (BinaryPrimitives.ReadUInt16LittleEndian(source[4..]) != Version)
        {
            return FrameLinkErrorCode.UnsupportedVersion;
        }
        if (BinaryPrimitives.ReadUInt32LittleEndian(source[12..]) != Crc32.Compute(source[..12]))
        {
            return FrameLinkErrorCode.BadCrc;
        }
        request = new FrameLinkRequest(
            (FrameLinkRequestType)BinaryPrimitives.ReadUInt16LittleEndian(source[6..]),
            BinaryPrimitives.ReadUInt32LittleEndian(source[8..]));
        return null;
    }

    /// <summary>Checks the type and argument; null when the request is acceptable.</summary>
    public FrameLinkErrorCode? Validate() => Type switch
    {
        FrameLinkRequestType.Subscribe or FrameLinkRequestType.Unsubscribe => Argument == 0 ? null : FrameLinkErrorCode.BadArgument,
        FrameLinkRequestType.DarkFrames => Argument is >= 1 and <= MaxDarkFrames ? null : FrameLinkErrorCode.BadArgument,
        FrameLinkRequestType.SetMode => Argument is 1024 or 512 ? null : FrameLinkErrorCode.BadArgument,
        _ => FrameLinkErrorCode.UnknownRequest,
    };

    /// <summary>True for errors after which the byte stream can no longer be trusted.</summary>
    public static bool ClosesConnection(FrameLinkErrorCode code) =>
        code is FrameLinkErrorCode.BadMagic or FrameLinkErrorCode.UnsupportedVersion or FrameLinkErrorCode.BadCrc;
}
