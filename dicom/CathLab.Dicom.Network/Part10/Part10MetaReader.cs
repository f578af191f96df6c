using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using CathLab.Dicom.Network.Pdus;

namespace CathLab.Dicom.Network.Part10;

/// <summary>
/// Reads only the file meta information (group 0002, explicit VR LE, PS3.10 §7.1) of a Part 10 file, so that
/// the data set behind it can be streamed untouched. A narrow adapter: the full codec lives in CathLab.Dicom.
/// </summary>
public static class Part10MetaReader
{
    private const int PreambleAndPrefix = 132;
    private const int MaxMetaLength = 64 * 1024;

    public static Part10Meta Read(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
        return Read(file, path);
    }

    public static Part10Meta Read(Stream stream, string name)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(PreambleAndPrefix + MaxMetaLength);
        try
        {
            var length = stream.ReadAtLeast(buffer.AsSpan(0, PreambleAndPrefix + MaxMetaLength), PreambleAndPrefix + MaxMetaLength, throwOnEndOfStream: false);
            var span = buffer.AsSpan(0, length);
            if (length < PreambleAndPrefix || !span.Slice(128, 4).SequenceEqual("DICM"u8))
            {
                throw new InvalidDataException($"{name} is not a DICOM Part 10 file (no DICM prefix)");
            }
            string? sopClass = null, sopInstance = null, transferSyntax = null;
            var at = PreambleAndPrefix;
            while (at + 8 <= length && BinaryPrimitives.ReadUInt16LittleEndian(span[at..]) == 0x0002)
            {
                var element = BinaryPrimitives.ReadUInt16LittleEndian(span[(at + 2)..]);
                var vr = Encoding.ASCII.GetString(span.Slice(at + 4, 2));
                int valueLength, header;
                if (vr is "OB" or "OW" or "OF" or "SQ" or "UT" or "UN")
                {
                    if (at + 12 > length)
                    {
                        break;
                    }
                    valueLength = checked((int)BinaryPrimitives.ReadUInt32LittleEndian(span[(at + 8)..]));
                    header = 12;
                }
                else
                {
                    valueLength = BinaryPrimitives.ReadUInt16LittleEndian(span[(at + 6)..]);
                    header = 8;
                }
                if (valueLength < 0 || at + header + valueLength > length)
                {
                    throw new InvalidDataException($"{name}: meta element (0002,{element:X4}) runs past the meta header");
                }
                var value = Encoding.ASCII.GetString(span.Slice(at + header, valueLength)).TrimEnd('\0', ' ');
                switch (element)
                {
                    case 0x0002: sopClass = value; break;
                    case 0x0003: sopInstance = value; break;
                    case 0x0010: transferSyntax = value; break;
                }
                at += header + valueLength;
            }
            return new Part10Meta(
                sopClass ?? throw new InvalidDataException($"{name}: meta header lacks Media Storage SOP Class UID"),
                sopInstance ?? throw new InvalidDataException($"{name}: meta header lacks Media Storage SOP Instance UID"),
                transferSyntax ?? throw new InvalidDataException($"{name}: meta header lacks Transfer Syntax UID"),
                at);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
