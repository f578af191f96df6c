using System.Runtime.InteropServices;
using CathLab.Dicom.Data;
using CathLab.Dicom.Dictionary;
using CathLab.Dicom.Files;
using CathLab.Dicom.IO;
using CathLab.Dicom.Uids;

namespace CathLab.Testing;

/// <summary>A small XA multi-frame run in any syntax the toolkit writes (native, RLE, JPEG-LS), with the frames that went
/// in: a smooth upper half and a noisy lower one, of the given bits stored in 16 bits allocated.</summary>
public static class EncodedRunFile
{
    public static (string Uid, List<byte[]> Frames) Write(string path, DicomTransferSyntax syntax, int rows, int columns, int bitsStored, int frames)
    {
        var uid = DicomUidGenerator.NewUid();
        var header = new DicomDataSet()
            .SetString(DicomTags.SOPClassUID, DicomUids.XRayAngiographicImageStorage)
            .SetString(DicomTags.SOPInstanceUID, uid)
            .SetString(DicomTags.Modality, "XA")
            .SetString(DicomTags.PatientName, "ENCODED^RUN")
            .SetString(DicomTags.PatientID, "CATH001")
            .SetString(DicomTags.StudyInstanceUID, DicomUidGenerator.NewUid())
            .SetString(DicomTags.SeriesInstanceUID, DicomUidGenerator.NewUid())
            .SetInt(DicomTags.SamplesPerPixel, 1)
            .SetString(DicomTags.PhotometricInterpretation, "MONOCHROME2")
            .SetInt(DicomTags.Rows, rows)
            .SetInt(DicomTags.Columns, columns)
            .SetInt(DicomTags.BitsAllocated, 16)
            .SetInt(DicomTags.BitsStored, bitsStored)
            .SetInt(DicomTags.HighBit, bitsStored - 1)
            .SetInt(DicomTags.PixelRepresentation, 0);
        var mask = (1 << bitsStored) - 1;
        var random = new Random(frames * 31 + bitsStored);
        var pixels = Enumerable.Range(0, frames).Select(f =>
        {
            var frame = new byte[rows * columns * 2];
            var samples = MemoryMarshal.Cast<byte, ushort>(frame.AsSpan());
            for (var i = 0; i < samples.Length; i++)
                samples[i] = (ushort)((i / columns < rows / 2 ? 800 + i % columns * 9 + f : random.Next(0, mask + 1)) & mask);
            return frame;
        }).ToList();
        using var writer = DicomMultiFrameWriter.Create(path, header, syntax);
        foreach (var frame in pixels) writer.WriteFrame(frame);
        writer.Complete();
        return (uid, pixels);
    }

    /// <summary>Fails (throws, naming what differs) unless the file at <paramref name="path"/> is in <paramref name="syntaxUid"/>
    /// and decodes to <paramref name="frames"/>.</summary>
    public static void AssertFrames(string path, string syntaxUid, IReadOnlyList<byte[]> frames)
    {
        using var reader = DicomFileReader.Open(path);
        if (reader.Meta.TransferSyntaxUid != syntaxUid) throw new InvalidOperationException($"{path} is in {reader.Meta.TransferSyntaxUid}, not {syntaxUid}");
        if (reader.FrameCount != frames.Count) throw new InvalidOperationException($"{path} has {reader.FrameCount} frames, not {frames.Count}");
        var frame = new byte[reader.FrameFormat.FrameLength];
        for (var i = 0; i < frames.Count; i++)
        {
            reader.ReadFrame(i, frame);
            if (!frames[i].AsSpan().SequenceEqual(frame)) throw new InvalidOperationException($"frame {i} of {path} differs");
        }
    }
}
