using System.Buffers.Binary;
using CathLab.Dicom.Data;
using CathLab.Dicom.IO;

namespace CathLab.Dicom.Files;

/// <summary>
/// The Part 10 header: 128-byte preamble, "DICM", and the File Meta Information group, always explicit VR LE
/// and led by its group length (PS3.10 7.1).
/// </summary>
public static class DicomPart10
{
    public const int PreambleLength = 128;
    private static ReadOnlySpan<byte> Magic => "DICM"u8;

    /// <summary>Writes preamble, prefix and File Meta Information; the data set follows in <see cref="DicomFileMetaInformation.TransferSyntax"/>.</summary>
    public static void WriteHeader(Stream output, DicomFileMetaInformation meta)
    {
        Span<byte> preamble = stackalloc byte[PreambleLength + 4];
        preamble.Clear();
        Magic.CopyTo(preamble[PreambleLength..]);
        output.Write(preamble);
        var group = meta.ToDataSet();
        var explicitLe = DicomTransferSyntax.ExplicitVRLittleEndian;
        var length = DicomDataSetWriter.MeasureLength(group, explicitLe);
        Span<byte> groupLength = stackalloc byte[12];
        DicomElementHeader.Write(groupLength, DicomFileMetaInformation.GroupLength, DicomVR.UL, 4, explicitVR: true);
        BinaryPrimitives.WriteUInt32LittleEndian(groupLength[8..], checked((uint)length));
        output.Write(groupLength);
        DicomDataSetWriter.Write(output, group, explicitLe);
    }

    /// <summary>
    /// Reads preamble, prefix and File Meta Information and leaves <paramref name="input"/> at the first byte of
    /// the data set. The group length bounds the group when present; otherwise the group ends at the first tag
    /// outside group 0002 (the stream must then be seekable).
    /// </summary>
    public static DicomFileMetaInformation ReadHeader(Stream input)
    {
        Span<byte> head = stackalloc byte[PreambleLength + 4];
        var got = input.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        if (got < head.Length || !head[PreambleLength..].SequenceEqual(Magic))
            throw new DicomFormatException("not a DICOM Part 10 file: no 'DICM' after the 128-byte preamble") { Offset = 128 };
        Span<byte> first = stackalloc byte[12];
        if (input.ReadAtLeast(first, 12, throwOnEndOfStream: false) < 12)
            throw new DicomFormatException("File Meta Information is truncated");
        var explicitLe = DicomTransferSyntax.ExplicitVRLittleEndian;
        DicomDataSet meta;
        if (first[0] == 0x02 && first[1] == 0 && first[2] == 0 && first[3] == 0 && first[4] == (byte)'U' && first[5] == (byte)'L' && first[6] == 4 && first[7] == 0)
        {
            var groupLength = BinaryPrimitives.ReadUInt32LittleEndian(first[8..]);
            if (groupLength > 64 * 1024) throw new DicomFormatException($"File Meta Information group length {groupLength} is implausible");
            var bytes = new byte[groupLength];
            if (input.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false) < bytes.Length)
                throw new DicomFormatException("File Meta Information is shorter than its group length");
            meta = DicomDataSetReader.Read(bytes, explicitLe);
        }
        else
        {
            if (!input.CanSeek) throw new DicomFormatException("File Meta Information without a group length needs a seekable stream");
            input.Seek(-12, SeekOrigin.Current);
            meta = DicomDataSetReader.Read(input, explicitLe, new DicomReadOptions { StopAtTag = new DicomTag(0x0003, 0x0000), MaxLength = 64 * 1024 });
        }
        foreach (var e in meta)
            if (e.Tag.Group != 0x0002) throw new DicomFormatException($"{e.Tag} inside the File Meta Information");
        try
        {
            var info = DicomFileMetaInformation.FromDataSet(meta);
            _ = info.TransferSyntax; // refuses an unsupported syntax here, with a clear message
            return info;
        }
        catch (Exception e) when (DicomFormatException.IsMalformedInput(e))
        {
            throw new DicomFormatException($"File Meta Information is malformed: {e.Message}", e);
        }
    }
}
