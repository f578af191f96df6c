using System.Buffers.Binary;
using System.Text;

using CathLab.Dicom.Network.Part10;

namespace CathLab.Testing;

/// <summary>Writes a minimal XA-like multi-frame Part 10 file (explicit VR LE), frame by frame so a 440 MB object never sits in memory.</summary>
public static class SyntheticDicomFile
{
    public const string XaSopClass = "1.2.840.10008.5.1.4.1.1.12.1";

    public static string NewUid() => "2.25." + new System.Numerics.BigInteger(Guid.NewGuid().ToByteArray(), isUnsigned: true);

    public static string Write(string path, int frames, int rows, int columns, string? sopInstanceUid = null, string patientId = "CATH001", string sopClass = XaSopClass)
    {
        var instance = sopInstanceUid ?? NewUid();
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        Part10Meta.WriteHeader(file, sopClass, instance, "1.2.840.10008.1.2.1", "CATHLAB");
        var header = new MemoryStream();
        Text(header, 0x0008, 0x0016, "UI", sopClass);
        Text(header, 0x0008, 0x0018, "UI", instance);
        Text(header, 0x0008, 0x0060, "CS", "XA");
        Text(header, 0x0010, 0x0010, "PN", "TEST^PATIENT");
        Text(header, 0x0010, 0x0020, "LO", patientId);
        Text(header, 0x0020, 0x000D, "UI", "1.2.826.0.1.3680043.10.1199.1");
        Text(header, 0x0020, 0x000E, "UI", "1.2.826.0.1.3680043.10.1199.1.1");
        UShort(header, 0x0028, 0x0002, 1);
        Text(header, 0x0028, 0x0004, "CS", "MONOCHROME2");
        Text(header, 0x0028, 0x0008, "IS", frames.ToString(System.Globalization.CultureInfo.InvariantCulture));
        UShort(header, 0x0028, 0x0010, (ushort)rows);
        UShort(header, 0x0028, 0x0011, (ushort)columns);
        UShort(header, 0x0028, 0x0100, 16);
        UShort(header, 0x0028, 0x0101, 16);
        UShort(header, 0x0028, 0x0102, 15);
        UShort(header, 0x0028, 0x0103, 0);
        var frameBytes = rows * columns * 2;
        var pixelHeader = new byte[12];
        BinaryPrimitives.WriteUInt16LittleEndian(pixelHeader, 0x7FE0);
        BinaryPrimitives.WriteUInt16LittleEndian(pixelHeader.AsSpan(2), 0x0010);
        "OW"u8.CopyTo(pixelHeader.AsSpan(4));
        BinaryPrimitives.WriteUInt32LittleEndian(pixelHeader.AsSpan(8), checked((uint)((long)frameBytes * frames)));
        header.Write(pixelHeader);
        file.Write(header.ToArray());
        var frame = new byte[frameBytes];
        for (var f = 0; f < frames; f++)
        {
            frame.AsSpan().Fill((byte)f);
            file.Write(frame);
        }
        return instance;
    }

    private static void Text(Stream s, ushort group, ushort element, string vr, string value)
    {
        var pad = vr == "UI" ? '\0' : ' ';
        if (value.Length % 2 == 1)
        {
            value += pad;
        }
        Header(s, group, element, vr, value.Length);
        s.Write(Encoding.ASCII.GetBytes(value));
    }

    private static void UShort(Stream s, ushort group, ushort element, ushort value)
    {
        Header(s, group, element, "US", 2);
        Span<byte> b = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(b, value);
        s.Write(b);
    }

    private static void Header(Stream s, ushort group, ushort element, string vr, int length)
    {
        Span<byte> h = stackalloc byte[8];
        BinaryPrimitives.WriteUInt16LittleEndian(h, group);
        BinaryPrimitives.WriteUInt16LittleEndian(h[2..], element);
        Encoding.ASCII.GetBytes(vr, h[4..]);
        BinaryPrimitives.WriteUInt16LittleEndian(h[6..], (ushort)length);
        s.Write(h);
    }
}
