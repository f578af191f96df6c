using System.Buffers.Binary;
using CathLab.Dicom.Data;
using CathLab.Dicom.Dictionary;
using CathLab.Dicom.Files;
using CathLab.Dicom.IO;
using CathLab.Publishing.Journal;

namespace CathLab.Publishing.Intake;

/// <summary>
/// Decides whether a file may enter the outbox: it exists under its final name (never the recorder's "*.partial"), its
/// Part 10 header reads, the header and data set agree on the SOP instance UID (and with the caller's, when given), and
/// the pixel data is all there. Reads the header and the elements before Pixel Data only, never the pixels.
/// </summary>
public static class CompleteFileInspector
{
    public const string PartialSuffix = ".partial";

    public static OutboxObject Inspect(string path, string? expectedSopInstanceUid = null, string? description = null)
    {
        var full = Path.GetFullPath(path);
        if (full.EndsWith(PartialSuffix, StringComparison.OrdinalIgnoreCase))
        {
            throw new OutboxFileRejectedException(full, "the recorder is still writing it (*.partial); add the final path once the run is complete");
        }
        if (!File.Exists(full))
        {
            throw new OutboxFileRejectedException(full, "no such file");
        }
        try
        {
            using var file = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
            var meta = DicomPart10.ReadHeader(file);
            var syntax = meta.TransferSyntax;
            var dataSet = syntax.IsDeflated
                ? new DicomDataSet() // a deflated stream cannot be read partway; the meta header has to do
                : DicomDataSetReader.Read(file, syntax, new DicomReadOptions { StopAtTag = DicomTag.PixelData });
            var instance = meta.MediaStorageSopInstanceUid;
            if (string.IsNullOrEmpty(instance))
            {
                throw new OutboxFileRejectedException(full, "the file meta information has no Media Storage SOP Instance UID");
            }
            if (dataSet.GetStringOrDefault(DicomTags.SOPInstanceUID) is { } inDataSet && inDataSet != instance)
            {
                throw new OutboxFileRejectedException(full, $"the data set's SOP Instance UID {inDataSet} differs from the header's {instance}");
            }
            if (expectedSopInstanceUid is not null && expectedSopInstanceUid != instance)
            {
                throw new OutboxFileRejectedException(full, $"it holds SOP instance {instance}, not the expected {expectedSopInstanceUid}");
            }
            if (!syntax.IsDeflated && !PixelDataComplete(file, syntax))
            {
                throw new OutboxFileRejectedException(full, "the file ends before its pixel data does (truncated)");
            }
            return new OutboxObject(full, meta.MediaStorageSopClassUid, instance, dataSet.GetStringOrDefault(DicomTags.StudyInstanceUID),
                description ?? DescriptionOf(dataSet), file.Length);
        }
        catch (Exception e) when (e is DicomFormatException or EndOfStreamException or InvalidDataException or ArgumentException)
        {
            throw new OutboxFileRejectedException(full, $"not a readable DICOM Part 10 file ({e.Message})", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new OutboxFileRejectedException(full, $"cannot read it ({e.Message})", e);
        }
    }

    private static string DescriptionOf(DicomDataSet dataSet)
    {
        var parts = new[]
        {
            dataSet.GetStringOrDefault(DicomTags.Modality),
            dataSet.GetStringOrDefault(DicomTags.SeriesDescription) ?? dataSet.GetStringOrDefault(DicomTags.StudyDescription),
            dataSet.GetStringOrDefault(DicomTags.SeriesNumber) is { Length: > 0 } n ? "series " + n : null,
        };
        return string.Join(" ", parts.Where(p => !string.IsNullOrWhiteSpace(p)).Select(p => p!.Trim()));
    }

    // The reader stopped at the Pixel Data header (or at the end when there is none). A defined length must fit in the
    // file; an encapsulated one must end with the sequence delimiter.
    private static bool PixelDataComplete(FileStream file, DicomTransferSyntax syntax)
    {
        if (file.Position >= file.Length)
        {
            return true;
        }
        var at = file.Position;
        Span<byte> header = stackalloc byte[12];
        if (file.ReadAtLeast(header, 8, throwOnEndOfStream: false) < 8)
        {
            return false;
        }
        var bigEndian = syntax.Uid == "1.2.840.10008.1.2.2";
        var group = bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(header) : BinaryPrimitives.ReadUInt16LittleEndian(header);
        var element = bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(header[2..]) : BinaryPrimitives.ReadUInt16LittleEndian(header[2..]);
        if (group != 0x7FE0 || element != 0x0010)
        {
            return true; // elements after Pixel Data's position but no Pixel Data: nothing to measure
        }
        int headerLength;
        uint length;
        if (!syntax.IsExplicitVR)
        {
            headerLength = 8;
            length = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
        }
        else
        {
            headerLength = 12;
            length = bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(header[8..]) : BinaryPrimitives.ReadUInt32LittleEndian(header[8..]);
        }
        var start = at + headerLength;
        if (length != DicomElementHeader.UndefinedLength)
        {
            return start + length <= file.Length;
        }
        Span<byte> tail = stackalloc byte[8];
        file.Seek(-8, SeekOrigin.End);
        file.ReadExactly(tail);
        return BinaryPrimitives.ReadUInt16LittleEndian(tail) == 0xFFFE && BinaryPrimitives.ReadUInt16LittleEndian(tail[2..]) == 0xE0DD;
    }
}
