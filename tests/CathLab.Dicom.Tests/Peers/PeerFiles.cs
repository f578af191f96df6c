using CathLab.Dicom.Data;
using CathLab.Dicom.Dictionary;
using CathLab.Dicom.Files;
using CathLab.Dicom.IO;
using CathLab.Dicom.Tests.Support;

namespace CathLab.Dicom.Tests.Peers;

/// <summary>Multi-frame files written with the streaming writer, with the frames that went in.</summary>
internal static class PeerFiles
{
    public static List<byte[]> WriteMultiFrame(string path, DicomTransferSyntax syntax, int rows, int columns, int bits, int frames)
    {
        var expected = Enumerable.Range(0, frames).Select(i => TestObjects.Frame(rows, columns, bits, i)).ToList();
        var header = TestObjects.XaHeader(rows, columns, bits);
        header.SetTags(DicomTags.FrameIncrementPointer, DicomTags.FrameTime);
        var code = new DicomDataSet().SetString(DicomTags.CodeValue, "113704").SetString(DicomTags.CodingSchemeDesignator, "DCM").SetString(DicomTags.CodeMeaning, "Projection X-Ray");
        header.SetSequence(DicomTags.AnatomicRegionSequence, code);
        if (syntax.IsDeflated)
        {
            var tmp = path + ".explicit";
            Write(tmp, header, DicomTransferSyntax.ExplicitVRLittleEndian, expected);
            using (var reader = DicomFileReader.Open(tmp))
            using (var output = File.Create(path))
                reader.CopyFileTo(output, syntax);
            File.Delete(tmp);
        }
        else
        {
            Write(path, header, syntax, expected);
        }
        return expected;
    }

    private static void Write(string path, DicomDataSet header, DicomTransferSyntax syntax, List<byte[]> frames)
    {
        using var writer = DicomMultiFrameWriter.Create(path, header, syntax);
        foreach (var f in frames) writer.WriteFrame(f);
        writer.Complete();
    }
}
