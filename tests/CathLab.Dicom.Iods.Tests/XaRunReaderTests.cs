using CathLab.Dicom.Iods.Xa;
using CathLab.Dicom.IO;
using CathLab.Dicom.Uids;
using CathLab.Testing;

namespace CathLab.Dicom.Iods.Tests;

/// <summary>Recorded runs read frame by frame: files written by the recorder's own writer (complete and still being
/// written), files dcmtk made from them, and damaged files.</summary>
public sealed class XaRunReaderTests : IDisposable
{
    private const int Size = 512;
    private const int Bits = 14;
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    public static TheoryData<string> Syntaxes => new() { DicomTransferSyntax.ExplicitVRLittleEndian.Uid, DicomTransferSyntax.RleLossless.Uid, DicomTransferSyntax.JpegLsLossless.Uid };

    private static XaRunWriter StartRun(string path, string syntaxUid) =>
        XaRunWriter.Create(path, SampleExam.Context(DicomUidGenerator.NewUid()), SampleExam.Run(Size, Bits, DicomTransferSyntax.Get(syntaxUid)));

    private static void WriteFrames(XaRunWriter writer, int from, int count)
    {
        var frame = new byte[writer.FrameLength];
        for (var i = from; i < from + count; i++)
        {
            SampleExam.FillFrame(frame, Size, i, Bits);
            writer.WriteFrame(frame, SampleExam.Record(i));
        }
    }

    private static void AssertFrame(XaRunReader reader, int index)
    {
        var expected = new byte[reader.FrameFormat.FrameLength];
        SampleExam.FillFrame(expected, Size, index, Bits);
        var actual = new byte[expected.Length];
        reader.ReadFrame(index, actual);
        Assert.True(expected.AsSpan().SequenceEqual(actual), $"frame {index} differs from what was recorded");
    }

    private string Record(string syntaxUid, int frames)
    {
        var path = _dir.File($"run-{Guid.NewGuid():N}.dcm");
        using var writer = StartRun(path, syntaxUid);
        WriteFrames(writer, 0, frames);
        writer.Complete();
        return path;
    }

    [Theory]
    [MemberData(nameof(Syntaxes))]
    public void ACompletedRunIsReadFrameByFramePixelExact(string syntaxUid)
    {
        var path = Record(syntaxUid, 6);
        using var reader = XaRunReader.Open(path);
        Assert.False(reader.Recording);
        Assert.Equal(6, reader.FrameCount);
        foreach (var i in new[] { 5, 0, 3 }) AssertFrame(reader, i);
    }

    [Theory]
    [MemberData(nameof(Syntaxes))]
    public void ARunStillBeingRecordedIsReadAsItGrowsThenAsCompleted(string syntaxUid)
    {
        var path = _dir.File("growing.dcm");
        using var writer = StartRun(path, syntaxUid);
        WriteFrames(writer, 0, 3);

        using var reader = XaRunReader.Open(path);
        Assert.True(reader.Recording);
        Assert.Equal(3, reader.FrameCount);
        AssertFrame(reader, 2);
        Assert.Throws<ArgumentOutOfRangeException>(() => reader.ReadFrame(3, new byte[reader.FrameFormat.FrameLength]));

        WriteFrames(writer, 3, 2);
        AssertFrame(reader, 4); // a frame past the count is looked for again
        Assert.Equal(5, reader.FrameCount);

        WriteFrames(writer, 5, 1);
        writer.Complete();
        Assert.Equal(6, reader.Refresh());
        Assert.False(reader.Recording);
        Assert.Equal(6, reader.DataSet.GetIntOrDefault(Dictionary.DicomTags.NumberOfFrames, 0));
        for (var i = 0; i < 6; i++) AssertFrame(reader, i);
    }

    [Fact]
    public void AGrowingFileWithHalfAFrameOnDiskCountsOnlyWholeFrames()
    {
        var path = Record(DicomUids.RleLossless, 3);
        var bytes = File.ReadAllBytes(path);
        // Drop the sequence delimiter and half of the last fragment: what a reader may see mid-write.
        var partial = _dir.File("cut.dcm") + XaRunWriter.PartialSuffix;
        File.WriteAllBytes(partial, bytes.AsSpan(0, bytes.Length - 8 - 300).ToArray());
        using var reader = XaRunReader.Open(partial[..^XaRunWriter.PartialSuffix.Length]);
        Assert.True(reader.Recording);
        Assert.Equal(2, reader.FrameCount);
        AssertFrame(reader, 1);
    }

    [Theory]
    [InlineData("+ot")]
    [InlineData("-ot")]
    public void FilesDcmtkEncodedFromARecordedRunDecodeToTheSamePixels(string offsetTable)
    {
        var native = Record(DicomUids.ExplicitVRLittleEndian, 4);
        var rle = _dir.File("dcmcrle.dcm");
        var r = ExternalTool.Run("dcmcrle", offsetTable, native, rle);
        Assert.True(r.ExitCode == 0, r.All);
        using (var reader = XaRunReader.Open(rle))
        {
            Assert.Equal(4, reader.FrameCount);
            for (var i = 0; i < 4; i++) AssertFrame(reader, i);
        }

        var ours = Record(DicomUids.RleLossless, 4);
        var decoded = _dir.File("dcmdrle.dcm");
        r = ExternalTool.Run("dcmdrle", "+te", ours, decoded);
        Assert.True(r.ExitCode == 0, r.All);
        using var back = XaRunReader.Open(decoded);
        for (var i = 0; i < 4; i++) AssertFrame(back, i);
    }

    [Fact]
    public void ATruncatedCompletedRunIsRefusedWithAClearError()
    {
        var path = Record(DicomUids.RleLossless, 3);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes.AsSpan(0, bytes.Length - 1000).ToArray());
        var e = Assert.Throws<DicomFormatException>(() => XaRunReader.Open(path));
        Assert.Contains("fragment length", e.Message);
    }

    [Fact]
    public void ADamagedFrameFailsAloneWithAClearError()
    {
        var path = Record(DicomUids.RleLossless, 3);
        long secondFragment;
        using (var probe = Files.DicomFileReader.Open(path)) secondFragment = FragmentOffset(path, probe, 1);
        using (var f = new FileStream(path, FileMode.Open, FileAccess.Write))
        {
            f.Position = secondFragment; // the RLE header: its segment count
            f.Write(new byte[] { 0xEE, 0, 0, 0 });
        }
        using var reader = XaRunReader.Open(path);
        Assert.Throws<DicomFormatException>(() => reader.ReadFrame(1, new byte[reader.FrameFormat.FrameLength]));
        AssertFrame(reader, 2);
    }

    [Fact]
    public void ARunAbandonedWhileReadIsSaidToBeGone()
    {
        var path = _dir.File("abandoned.dcm");
        using var writer = StartRun(path, DicomUids.RleLossless);
        WriteFrames(writer, 0, 2);
        using var reader = XaRunReader.Open(path);
        writer.Abandon();
        var e = Assert.Throws<FileNotFoundException>(() => reader.Refresh());
        Assert.Contains("abandoned", e.Message);
        AssertFrame(reader, 1); // what was read stays readable
    }

    [Fact]
    public void AMissingRunIsNotFound()
    {
        Assert.Throws<FileNotFoundException>(() => XaRunReader.Open(_dir.File("absent.dcm")));
    }

    private static long FragmentOffset(string path, Files.DicomFileReader reader, int frame)
    {
        var encoded = new byte[reader.EncodedFrameLength(frame)];
        reader.ReadEncodedFrame(frame, encoded);
        return File.ReadAllBytes(path).AsSpan().IndexOf(encoded);
    }
}
