using CathLab.Dicom.Data;
using CathLab.Dicom.Dictionary;
using CathLab.Dicom.Files;
using CathLab.Dicom.IO;
using CathLab.Dicom.Tests.Codecs;
using CathLab.Dicom.Tests.Support;

namespace CathLab.Dicom.Tests.Peers;

/// <summary>An RLE multi-frame file with one frame per RLE test pattern, for the peers to decode.</summary>
internal static class RlePatternFiles
{
    public static List<byte[]> Write(string path, int rows, int columns, int bits)
    {
        var format = new DicomFrameFormat(rows, columns, bits);
        var frames = RlePatterns.Names.Select((name, i) => RlePatterns.Frame(name, format, seed: i + 1)).ToList();
        var header = TestObjects.XaHeader(rows, columns, bits, frames.Count);
        // The patterns use every bit of the sample.
        header.SetInt(DicomTags.BitsStored, bits).SetInt(DicomTags.HighBit, bits - 1);
        using var writer = DicomMultiFrameWriter.Create(path, header, DicomTransferSyntax.RleLossless);
        foreach (var f in frames) writer.WriteFrame(f);
        writer.Complete();
        return frames;
    }
}
