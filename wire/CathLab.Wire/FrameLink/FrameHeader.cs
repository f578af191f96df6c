using System.Buffers.Binary;
using CathLab.Wire.Generator;

namespace CathLab.Wire.FrameLink;

/// <summary>The fixed 64-byte little-endian header in front of every detector-to-client message
/// (layout in docs/frame-link.md). Technique values travel in the generator link's fixed-point units.</summary>
public readonly record struct FrameHeader(
    FrameLinkMessageType Type,
    uint Sequence,
    uint PulseId,
    long TimestampMicroseconds,
    ushort Width,
    ushort Height,
    ushort BitsStored,
    ushort KvTenths,
    ushort MaTenths,
    ushort PulseWidthHundredthsMs,
    byte ExposureKind,
    uint AirKermaNanoGray,
    uint PayloadLength)
{
    public const uint Magic = 0x4C464C43; // "CLFL" in little-endian byte order
    public const ushort Version = 1;
    public const int Size = 64;
    private const int CrcOffset = Size - 4;

    public Technique Technique => new(KvTenths / 10.0, MaTenths / 10.0, PulseWidthHundredthsMs / 100.0);

    /// <summary>Fixed-point technique fields as the header carries them, rounded and clamped to 16 bits.</summary>
    public static (ushort KvTenths, ushort MaTenths, ushort PulseWidthHundredthsMs) Encode(in Technique technique) =>
        (ToFixed(technique.Kv * 10), ToFixed(technique.Ma * 10), ToFixed(technique.PulseWidthMs * 100));

    public void Write(Span<byte> destination)
    {
        if (destination.Length < Size)
        {
            throw new ArgumentException($"destination must hold {Size} bytes", nameof(destination));
        }
        var d = destination[..Size];
        BinaryPrimitives.WriteUInt32LittleEndian(d, Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(d[4..], Version);
        BinaryPrimitives.WriteUInt16LittleEndian(d[6..], Size);
        BinaryPrimitives.WriteUInt16LittleEndian(d[8..], (ushort)Type);
        BinaryPrimitives.WriteUInt16LittleEndian(d[10..], 0);
        BinaryPrimitives.WriteUInt32LittleEndian(d[12..], Sequence);
        BinaryPrimitives.WriteUInt32LittleEndian(d[16..], PulseId);
        BinaryPrimitives.WriteInt64LittleEndian(d[20..], TimestampMicroseconds);
        BinaryPrimitives.WriteUInt16LittleEndian(d[28..], Width);
        BinaryPrimitives.WriteUInt16LittleEndian(d[30..], Height);
        BinaryPrimitives.WriteUInt16LittleEndian(d[32..], BitsStored);
        BinaryPrimitives.WriteUInt16LittleEndian(d[34..], KvTenths);
        BinaryPrimitives.WriteUInt16LittleEndian(d[36..], MaTenths);
        BinaryPrimitives.WriteUInt16LittleEndian(d[38..], PulseWidthHundredthsMs);
        d[40] = ExposureKind;
        d[41] = 0;
        d[42] = 0;
        d[43] = 0;
        BinaryPrimitives.WriteUInt32LittleEndian(d[44..], PayloadLength);
        BinaryPrimitives.WriteUInt32LittleEndian(d[48..], AirKermaNanoGray);
        d[52..CrcOffset].Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(d[CrcOffset..], Crc32.Compute(d[..CrcOffset]));
    }

    public static FrameHeaderStatus TryRead(ReadOnlySpan<byte> source, out FrameHeader header)
    {
        header = default;
        if (source.Length < Size)
        {
            return FrameHeaderStatus.TooShort;
        }
        var s = source[..Size];
        if (BinaryPrimitives.ReadUInt32LittleEndian(s) != Magic)
        {
            return FrameHeaderStatus.BadMagic;
        }
        if (BinaryPrimitives.ReadUInt16LittleEndian(s[4..]) != Version)
        {
            return FrameHeaderStatus.UnsupportedVersion;
        }
        if (BinaryPrimitives.ReadUInt16LittleEndian(s[6..]) != Size)
        {
            return FrameHeaderStatus.BadHeaderLength;
        }
        if (BinaryPrimitives.ReadUInt32LittleEndian(s[CrcOffset..]) != Crc32.Compute(s[..CrcOffset]))
        {
            return FrameHeaderStatus.BadCrc;
        }
        header = new FrameHeader(
            (FrameLinkMessageType)BinaryPrimitives.ReadUInt16LittleEndian(s[8..]),
            BinaryPrimitives.ReadUInt32LittleEndian(s[12..]),
            BinaryPrimitives.ReadUInt32LittleEndian(s[16..]),
            BinaryPrimitives.ReadInt64LittleEndian(s[20..]),
            BinaryPrimitives.ReadUInt16LittleEndian(s[28..]),
            BinaryPrimitives.ReadUInt16LittleEndian(s[30..]),
            BinaryPrimitives.ReadUInt16LittleEndian(s[32..]),
            BinaryPrimitives.ReadUInt16LittleEndian(s[34..]),
            BinaryPrimitives.ReadUInt16LittleEndian(s[36..]),
            BinaryPrimitives.ReadUInt16LittleEndian(s[38..]),
            s[40],
            BinaryPrimitives.ReadUInt32LittleEndian(s[48..]),
            BinaryPrimitives.ReadUInt32LittleEndian(s[44..]));
        return FrameHeaderStatus.Ok;
    }

    private static ushort ToFixed(double value) => (ushort)Math.Clamp(Math.Round(value), 0, ushort.MaxValue);
}

/// <summary>Outcome of decoding a <see cref="FrameHeader"/>.</summary>
public enum FrameHeaderStatus
{
    Ok,
    TooShort,
    BadMagic,
    UnsupportedVersion,
    BadHeaderLength,
    BadCrc,
}
