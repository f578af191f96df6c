using System.Buffers.Binary;
using CathLab.Dicom.Data;

namespace CathLab.Dicom.IO;

/// <summary>Element, item and delimiter headers of PS3.5 7.1 and 7.5, little endian.</summary>
public static class DicomElementHeader
{
    /// <summary>The length value meaning "undefined length" (0xFFFFFFFF).</summary>
    public const uint UndefinedLength = 0xFFFFFFFF;

    /// <summary>Bytes of an element header: 8 (implicit, or explicit with a 16-bit length) or 12.</summary>
    public static int SizeOf(DicomVR vr, bool explicitVR) => !explicitVR ? 8 : vr.HasLongLength() ? 12 : 8;

    /// <summary>Writes an element header into <paramref name="destination"/>; returns the bytes written.</summary>
    public static int Write(Span<byte> destination, DicomTag tag, DicomVR vr, uint length, bool explicitVR)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(destination, tag.Group);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[2..], tag.Element);
        if (!explicitVR)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], length);
            return 8;
        }
        destination[4] = (byte)((ushort)vr >> 8);
        destination[5] = (byte)vr;
        if (vr.HasLongLength())
        {
            destination[6] = 0;
            destination[7] = 0;
            BinaryPrimitives.WriteUInt32LittleEndian(destination[8..], length);
            return 12;
        }
        if (length > 0xFFFF) throw new InvalidOperationException($"{tag} {vr.Code()} value of {length} bytes does not fit a 16-bit length");
        BinaryPrimitives.WriteUInt16LittleEndian(destination[6..], (ushort)length);
        return 8;
    }

    public static void Write(Stream output, DicomTag tag, DicomVR vr, uint length, bool explicitVR)
    {
        Span<byte> b = stackalloc byte[12];
        output.Write(b[..Write(b, tag, vr, length, explicitVR)]);
    }

    /// <summary>Item, item delimitation and sequence delimitation headers: tag and 32-bit length, never a VR.</summary>
    public static void WriteItemHeader(Stream output, DicomTag tag, uint length)
    {
        Span<byte> b = stackalloc byte[8];
        WriteItemHeader(b, tag, length);
        output.Write(b);
    }

    public static void WriteItemHeader(Span<byte> destination, DicomTag tag, uint length)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(destination, tag.Group);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[2..], tag.Element);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], length);
    }
}
