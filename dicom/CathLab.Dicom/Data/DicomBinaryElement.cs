using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace CathLab.Dicom.Data;

/// <summary>
/// A binary element: numbers (US, SS, UL, SL, FL, FD, SV, UV, AT), the O* VRs and UN.
/// <see cref="Data"/> holds the value in little-endian byte order, without padding for the numeric VRs.
/// </summary>
public sealed class DicomBinaryElement : DicomElement
{
    public DicomBinaryElement(DicomTag tag, DicomVR vr, ReadOnlyMemory<byte> data) : base(tag, vr)
    {
        if (!vr.IsBinary()) throw new ArgumentException($"{vr.Code()} is not a binary VR", nameof(vr));
        var size = vr.ValueSize();
        if (size > 1 && data.Length % size != 0 && vr is not DicomVR.OW and not DicomVR.OB)
            throw new ArgumentException($"{data.Length} bytes is not a whole number of {vr.Code()} values");
        Data = data;
    }

    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>Number of values (bytes / value size); 1 for OB, OW, OD, OF, OL, OV and UN when not empty.</summary>
    public int Count => Data.Length == 0 ? 0
        : VR is DicomVR.OB or DicomVR.OW or DicomVR.OD or DicomVR.OF or DicomVR.OL or DicomVR.OV or DicomVR.UN ? 1
        : Data.Length / VR.ValueSize();

    public ReadOnlySpan<T> AsSpan<T>() where T : struct => MemoryMarshal.Cast<byte, T>(Data.Span);

    /// <summary>Value <paramref name="index"/> converted to a double, whatever the numeric VR.</summary>
    public double GetDouble(int index = 0)
    {
        var s = Data.Span;
        return VR switch
        {
            DicomVR.US or DicomVR.OW => BinaryPrimitives.ReadUInt16LittleEndian(s[(index * 2)..]),
            DicomVR.SS => BinaryPrimitives.ReadInt16LittleEndian(s[(index * 2)..]),
            DicomVR.UL or DicomVR.OL => BinaryPrimitives.ReadUInt32LittleEndian(s[(index * 4)..]),
            DicomVR.SL => BinaryPrimitives.ReadInt32LittleEndian(s[(index * 4)..]),
            DicomVR.FL or DicomVR.OF => BinaryPrimitives.ReadSingleLittleEndian(s[(index * 4)..]),
            DicomVR.FD or DicomVR.OD => BinaryPrimitives.ReadDoubleLittleEndian(s[(index * 8)..]),
            DicomVR.SV => BinaryPrimitives.ReadInt64LittleEndian(s[(index * 8)..]),
            DicomVR.UV or DicomVR.OV => BinaryPrimitives.ReadUInt64LittleEndian(s[(index * 8)..]),
            DicomVR.OB or DicomVR.UN => s[index],
            _ => throw new InvalidOperationException($"{Tag} {VR.Code()} is not numeric"),
        };
    }

    /// <summary>Value <paramref name="index"/> as a 64-bit integer, whatever the integer VR.</summary>
    public long GetInt64(int index = 0)
    {
        var s = Data.Span;
        return VR switch
        {
            DicomVR.SV => BinaryPrimitives.ReadInt64LittleEndian(s[(index * 8)..]),
            DicomVR.UV or DicomVR.OV => checked((long)BinaryPrimitives.ReadUInt64LittleEndian(s[(index * 8)..])),
            DicomVR.FL or DicomVR.FD or DicomVR.OF or DicomVR.OD => checked((long)GetDouble(index)),
            _ => (long)GetDouble(index),
        };
    }

    /// <summary>AT values: each a tag stored as group then element.</summary>
    public DicomTag GetTag(int index = 0)
    {
        var s = Data.Span[(index * 4)..];
        return new DicomTag(BinaryPrimitives.ReadUInt16LittleEndian(s), BinaryPrimitives.ReadUInt16LittleEndian(s[2..]));
    }

    public override string ToString() => $"{base.ToString()} ({Data.Length} bytes)";
}
