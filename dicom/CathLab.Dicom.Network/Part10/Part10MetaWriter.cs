using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using CathLab.Dicom.Network.Association;

namespace CathLab.Dicom.Network.Part10;

/// <summary>Writes the 128-byte preamble, "DICM" and the file meta information for a data set received over the network.</summary>
public static class Part10MetaWriter
{
    public static byte[] Build(string sopClassUid, string sopInstanceUid, string transferSyntaxUid, string sourceAeTitle)
    {
        var elements = new ArrayBufferWriter<byte>(256);
        WriteOb(elements, 0x0001, [0x00, 0x01]);
        WriteText(elements, 0x0002, "UI", sopClassUid, 0);
        WriteText(elements, 0x0003, "UI", sopInstanceUid, 0);
        WriteText(elements, 0x0010, "UI", transferSyntaxUid, 0);
        WriteText(elements, 0x0012, "UI", Implementation.ClassUid, 0);
        WriteText(elements, 0x0013, "SH", Implementation.VersionName, (byte)' ');
        WriteText(elements, 0x0016, "AE", sourceAeTitle, (byte)' ');
        var result = new byte[132 + 12 + elements.WrittenCount];
        "DICM"u8.CopyTo(result.AsSpan(128));
        var groupLength = result.AsSpan(132);
        BinaryPrimitives.WriteUInt16LittleEndian(groupLength, 0x0002);
        BinaryPrimitives.WriteUInt16LittleEndian(groupLength[2..], 0x0000);
        "UL"u8.CopyTo(groupLength[4..]);
        BinaryPrimitives.WriteUInt16LittleEndian(groupLength[6..], 4);
        BinaryPrimitives.WriteUInt32LittleEndian(groupLength[8..], (uint)elements.WrittenCount);
        elements.WrittenSpan.CopyTo(result.AsSpan(144));
        return result;
    }

    private static void WriteOb(ArrayBufferWriter<byte> w, ushort element, ReadOnlySpan<byte> value)
    {
        var span = w.GetSpan(12 + value.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(span, 0x0002);
        BinaryPrimitives.WriteUInt16LittleEndian(span[2..], element);
        "OB"u8.CopyTo(span[4..]);
        span[6] = 0;
        span[7] = 0;
        BinaryPrimitives.WriteUInt32LittleEndian(span[8..], (uint)value.Length);
        value.CopyTo(span[12..]);
        w.Advance(12 + value.Length);
    }

    private static void WriteText(ArrayBufferWriter<byte> w, ushort element, string vr, string value, byte pad)
    {
        var length = value.Length + (value.Length & 1);
        var span = w.GetSpan(8 + length);
        BinaryPrimitives.WriteUInt16LittleEndian(span, 0x0002);
        BinaryPrimitives.WriteUInt16LittleEndian(span[2..], element);
        Encoding.ASCII.GetBytes(vr, span[4..]);
        BinaryPrimitives.WriteUInt16LittleEndian(span[6..], (ushort)length);
        Encoding.ASCII.GetBytes(value, span[8..]);
        if ((value.Length & 1) == 1)
        {
            span[8 + value.Length] = pad;
        }
        w.Advance(8 + length);
    }
}
