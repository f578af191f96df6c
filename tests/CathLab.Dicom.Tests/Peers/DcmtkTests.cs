using CathLab.Testing;
using CathLab.Dicom.Data;
using CathLab.Dicom.Dictionary;
using CathLab.Dicom.Files;
using CathLab.Dicom.IO;
using CathLab.Dicom.Tests.Codecs;
using CathLab.Dicom.Tests.IO;
using CathLab.Dicom.Tests.Support;
using CathLab.Dicom.Uids;

namespace CathLab.Dicom.Tests.Peers;

/// <summary>dcmtk reads what we write, and we read what dcmtk writes.</summary>
public class DcmtkTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(DicomUids.ExplicitVRLittleEndian, 16, 1)]
    [InlineData(DicomUids.ImplicitVRLittleEndian, 16, 4)]
    [InlineData(DicomUids.DeflatedExplicitVRLittleEndian, 8, 3)]
    [InlineData(DicomUids.RleLossless, 16, 4)]
    [InlineData(DicomUids.RleLossless, 8, 1)]
    public void DcmdumpReadsOurFiles(string syntaxUid, int bits, int frames)
    {
        var path = _dir.File("ours.dcm");
        PeerFiles.WriteMultiFrame(path, DicomTransferSyntax.Get(syntaxUid), 40, 50, bits, frames);
        var dump = ExternalTool.Run("dcmdump", "-dc", "-M", "+U8", path);
        Assert.True(dump.ExitCode == 0, dump.All);
        Assert.DoesNotContain("E: ", dump.StdErr);
        Assert.DoesNotContain("W: ", dump.StdErr);
        Assert.Contains($"(0002,0010) UI =", dump.StdOut);
        Assert.Contains("(0010,0010) PN [Müller^Jürgen", dump.StdOut);
        Assert.Contains($"(0028,0008) IS [{frames}", dump.StdOut);
        Assert.Contains("(0008,0104) LO [Projection X-Ray]", dump.StdOut);
        Assert.Contains("(0002,0013) SH [CATHLAB_1", dump.StdOut);

        // dcmtk decodes every frame: convert to explicit VR LE (dcmdrle for RLE) and compare the pixels with ours.
        var native = _dir.File("native.dcm");
        var convert = syntaxUid == DicomUids.RleLossless
            ? ExternalTool.Run("dcmdrle", "+te", path, native)
            : ExternalTool.Run("dcmconv", "+te", path, native);
        Assert.True(convert.ExitCode == 0, convert.All);
        using var reader = DicomFileReader.Open(native);
        using var ours = DicomFileReader.Open(path);
        Assert.Equal(DicomUids.ExplicitVRLittleEndian, reader.Meta.TransferSyntaxUid);
        Assert.Equal(frames, reader.FrameCount);
        var a = new byte[reader.FrameFormat.FrameLength];
        var b = new byte[a.Length];
        for (var i = 0; i < frames; i++)
        {
            reader.ReadFrame(i, a);
            ours.ReadFrame(i, b);
            Assert.Equal(b, a);
        }
    }

    [Theory]
    [InlineData(1, 8)]
    [InlineData(3, 16)]
    [InlineData(511, 8)]
    [InlineData(511, 16)]
    [InlineData(1023, 16)]
    [InlineData(1024, 16)]
    public void DcmdrleDecodesEveryRlePatternToOurPixels(int columns, int bits)
    {
        var path = _dir.File("patterns.dcm");
        var expected = RlePatternFiles.Write(path, 6, columns, bits);
        var native = _dir.File("patterns-native.dcm");
        var run = ExternalTool.Run("dcmdrle", "+te", path, native);
        Assert.True(run.ExitCode == 0, run.All);
        Assert.DoesNotContain("W: ", run.StdErr);
        using var reader = DicomFileReader.Open(native);
        Assert.Equal(DicomUids.ExplicitVRLittleEndian, reader.Meta.TransferSyntaxUid);
        Assert.Equal(expected.Count, reader.FrameCount);
        var frame = new byte[reader.FrameFormat.FrameLength];
        for (var i = 0; i < expected.Count; i++)
        {
            reader.ReadFrame(i, frame);
            Assert.True(expected[i].AsSpan().SequenceEqual(frame), $"frame {i} ({RlePatterns.Names[i]}) differs after dcmdrle");
        }
    }

    [Fact]
    public void EveryVRAndNestedSequencesAreSeenByDcmdump()
    {
        var ds = RoundTripTests.EveryVR();
        ds.SetString(DicomTags.SOPClassUID, DicomUids.SecondaryCaptureImageStorage);
        var item = new DicomDataSet().SetString(DicomTags.ReferencedSOPInstanceUID, "1.2.3.4");
        item.SetSequence(DicomTags.ConceptNameCodeSequence, new DicomDataSet().SetString(DicomTags.CodeValue, "NESTED"));
        ds.SetSequence(DicomTags.ReferencedSOPSequence, item);
        foreach (var undefined in new[] { true, false })
        {
            var path = _dir.File($"vr-{undefined}.dcm");
            using (var fs = File.Create(path))
                new DicomFile(ds, DicomTransferSyntax.ExplicitVRLittleEndian).Write(fs, new DicomWriteOptions { UndefinedLengthSequences = undefined });
            var dump = ExternalTool.Run("dcmdump", "-dc", "-M", "+U8", path);
            Assert.True(dump.ExitCode == 0, dump.All);
            Assert.DoesNotContain("E: ", dump.StdErr);
            foreach (var expected in new[]
                     {
                         "(0028,0009) AT (0018,1063)\\(0018,1065)", "(0040,9225) FD 0.14285714", "(0018,1130) DS [12.5]",
                         "(0028,0030) DS [0.125\\0.2", "(0010,0010) PN [Müller^Jürgen=山田^太郎", "(0008,1199) SQ", "(0008,0100) SH [NESTED]",
                         "(0072,0082) SV -9000000", "(0072,0083) UV 9000000", "(7fe0,0001) OV 1099511627776", "(0040,e010) UR [http://127.0.0.1/wado?x=1",
                         "(7fe0,0009) OD 3.14159", "(0066,0041) OL 123456", "(0029,1001) UN 09\\08\\07\\06", "(0018,9219) SS -3", "(0018,6020) SL -5", "(0028,0010) US 512", "(0008,0008) CS [ORIGINAL\\PRIMARY\\",
                     })
                Assert.True(dump.StdOut.Contains(expected, StringComparison.OrdinalIgnoreCase), $"'{expected}' not in:\n{dump.StdOut}");
        }
    }

    [Fact]
    public void WeReadRleMadeByDcmcrleAndFilesConvertedByDcmconv()
    {
        var source = _dir.File("src.dcm");
        var expected = PeerFiles.WriteMultiFrame(source, DicomTransferSyntax.ExplicitVRLittleEndian, 64, 60, 16, 5);
        var cases = new (string Tool, string[] Args, string Uid)[]
        {
            ("dcmcrle", ["-ot"], DicomUids.RleLossless),                     // dcmtk's own encoder, one fragment per frame, empty offset table
            ("dcmcrle", ["+ot"], DicomUids.RleLossless),                     // with a Basic Offset Table
            ("dcmconv", ["+ti"], DicomUids.ImplicitVRLittleEndian),
            ("dcmcrle", ["+fs", "1"], DicomUids.RleLossless),                // 1 KiB fragments: several per frame, found by the offset table
            ("dcmconv", ["+td"], DicomUids.DeflatedExplicitVRLittleEndian),
        };
        foreach (var (tool, args, uid) in cases)
        {
            var output = _dir.File($"{tool}-{args.Length}.dcm");
            var run = ExternalTool.Run(tool, args.Append(source).Append(output).ToArray());
            Assert.True(run.ExitCode == 0, run.All);
            using var reader = DicomFileReader.Open(output);
            Assert.Equal(uid, reader.Meta.TransferSyntaxUid);
            Assert.Equal(expected.Count, reader.FrameCount);
            Assert.Equal("Müller^Jürgen", reader.DataSet.GetString(DicomTags.PatientName));
            var frame = new byte[reader.FrameFormat.FrameLength];
            for (var i = 0; i < expected.Count; i++)
            {
                reader.ReadFrame(i, frame);
                Assert.Equal(expected[i], frame);
            }
        }
    }

    [Fact]
    public void WeReadAFileMadeByDump2dcmWithSequences()
    {
        var dumpFile = _dir.File("in.dump");
        File.WriteAllText(dumpFile, """
            (0002,0010) UI =LittleEndianImplicit
            (0008,0005) CS [ISO_IR 100]
            (0008,0016) UI =SecondaryCaptureImageStorage
            (0008,0018) UI [1.2.3.4.5.6]
            (0010,0010) PN [Gärtner^Zoë]
            (0020,0013) IS [7]
            (0028,0030) DS [0.5\0.25]
            (0040,0100) SQ (Sequence with undefined length)
              (fffe,e000) na (Item with undefined length)
                (0008,0060) CS [XA]
                (0040,0008) SQ (Sequence with undefined length)
                  (fffe,e000) na (Item with undefined length)
                    (0008,0100) SH [CODE1]
                  (fffe,e00d) na (ItemDelimitationItem)
                (fffe,e0dd) na (SequenceDelimitationItem)
              (fffe,e00d) na (ItemDelimitationItem)
            (fffe,e0dd) na (SequenceDelimitationItem)
            """, System.Text.Encoding.Latin1);
        var output = _dir.File("dump2dcm.dcm");
        var run = ExternalTool.Run("dump2dcm", "+E", "--write-xfer-implicit", "+g", "+l", "1000000", "--write-file", dumpFile, output);
        Assert.True(run.ExitCode == 0, run.All);
        var file = DicomFile.Open(output);
        Assert.Equal(DicomUids.ImplicitVRLittleEndian, file.Meta.TransferSyntaxUid);
        Assert.Equal("Gärtner^Zoë", file.DataSet.GetString(DicomTags.PatientName));
        Assert.Equal(7, file.DataSet.GetInt(DicomTags.InstanceNumber));
        Assert.Equal(0.25, file.DataSet.GetDouble(DicomTags.PixelSpacing, 1));
        var step = file.DataSet.GetSequence(DicomTags.ScheduledProcedureStepSequence).Items.Single();
        Assert.Equal("XA", step.GetString(DicomTags.Modality));
        Assert.Equal("CODE1", step.GetSequence(DicomTags.ScheduledProtocolCodeSequence).Items.Single().GetString(DicomTags.CodeValue));
    }
}
