using CathLab.Dicom.Data;
using CathLab.Dicom.Dictionary;
using CathLab.Dicom.Files;
using CathLab.Dicom.IO;
using CathLab.Dicom.Tests.Support;
using CathLab.Dicom.Uids;
using CathLab.Testing;

namespace CathLab.Dicom.Tests.Files;

public class StreamingTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(DicomUids.ExplicitVRLittleEndian, 16)]
    [InlineData(DicomUids.ImplicitVRLittleEndian, 16)]
    [InlineData(DicomUids.ExplicitVRLittleEndian, 8)]
    [InlineData(DicomUids.RleLossless, 16)]
    [InlineData(DicomUids.RleLossless, 8)]
    public void FramesWrittenOneByOneReadBackOneByOne(string syntaxUid, int bits)
    {
        const int rows = 48, columns = 64, frames = 7;
        var path = _dir.File("multi.dcm");
        var header = TestObjects.XaHeader(rows, columns, bits, frames: 1);
        var expected = Enumerable.Range(0, frames).Select(i => TestObjects.Frame(rows, columns, bits, i)).ToList();
        using (var writer = DicomMultiFrameWriter.Create(path, header, DicomTransferSyntax.Get(syntaxUid)))
        {
            foreach (var f in expected) writer.WriteFrame(f);
            writer.Complete();
        }

        using var reader = DicomFileReader.Open(path);
        Assert.Equal(syntaxUid, reader.TransferSyntax.Uid);
        Assert.Equal(frames, reader.FrameCount);
        Assert.Equal(frames, reader.DataSet.GetInt(DicomTags.NumberOfFrames));
        Assert.False(reader.DataSet.Contains(DicomTags.PixelData));
        var buffer = new byte[reader.FrameFormat.FrameLength];
        for (var i = frames - 1; i >= 0; i--)
        {
            reader.ReadFrame(i, buffer);
            Assert.Equal(expected[i], buffer);
        }
        using var rented = reader.RentFrame(3);
        Assert.Equal(expected[3], rented.Memory.ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => reader.ReadFrame(frames, buffer));

        // The in-memory reader sees the same object.
        var whole = DicomFile.Open(path).ChangeTransferSyntax(DicomTransferSyntax.ExplicitVRLittleEndian);
        Assert.Equal(expected.SelectMany(f => f).ToArray(), whole.DataSet.GetBytes(DicomTags.PixelData).ToArray());
    }

    [Theory]
    [InlineData(DicomUids.ExplicitVRLittleEndian, DicomUids.ImplicitVRLittleEndian)]
    [InlineData(DicomUids.ExplicitVRLittleEndian, DicomUids.DeflatedExplicitVRLittleEndian)]
    [InlineData(DicomUids.ExplicitVRLittleEndian, DicomUids.RleLossless)]
    [InlineData(DicomUids.RleLossless, DicomUids.ExplicitVRLittleEndian)]
    [InlineData(DicomUids.RleLossless, DicomUids.RleLossless)]
    [InlineData(DicomUids.ImplicitVRLittleEndian, DicomUids.ImplicitVRLittleEndian)]
    public void CopyToTranscodesWithoutLoadingTheObject(string fromUid, string toUid)
    {
        const int rows = 32, columns = 30, frames = 5;
        var source = _dir.File("src.dcm");
        var expected = Enumerable.Range(0, frames).Select(i => TestObjects.Frame(rows, columns, 16, i + 10)).ToList();
        using (var writer = DicomMultiFrameWriter.Create(source, TestObjects.XaHeader(rows, columns, 16), DicomTransferSyntax.Get(fromUid)))
        {
            foreach (var f in expected) writer.WriteFrame(f);
            writer.Complete();
        }
        var target = _dir.File("dst.dcm");
        using (var reader = DicomFileReader.Open(source))
        using (var output = File.Create(target))
            reader.CopyFileTo(output, DicomTransferSyntax.Get(toUid));

        // Also the bare data set, as the network layer sends it.
        using (var reader = DicomFileReader.Open(source))
        {
            using var ms = new MemoryStream();
            reader.CopyTo(ms, DicomTransferSyntax.Get(toUid));
            ms.Position = 0;
            var ds = DicomDataSetReader.Read(ms, DicomTransferSyntax.Get(toUid));
            Assert.Equal(frames, ds.GetInt(DicomTags.NumberOfFrames));
            Assert.True(ds.Contains(DicomTags.PixelData));
        }

        using var back = DicomFileReader.Open(target);
        Assert.Equal(toUid, back.Meta.TransferSyntaxUid);
        Assert.Equal(frames, back.FrameCount);
        var buffer = new byte[back.FrameFormat.FrameLength];
        for (var i = 0; i < frames; i++)
        {
            back.ReadFrame(i, buffer);
            Assert.Equal(expected[i], buffer);
        }
    }

    [Fact]
    public void WriterRefusesWrongFrameSizesAndUnsupportedSyntaxes()
    {
        var header = TestObjects.XaHeader(8, 8, 16);
        using var w = DicomMultiFrameWriter.Create(_dir.File("a.dcm"), header, DicomTransferSyntax.ExplicitVRLittleEndian);
        Assert.Throws<ArgumentException>(() => w.WriteFrame(new byte[10]));
        Assert.Throws<InvalidOperationException>(() => w.Complete());
        Assert.Throws<NotSupportedException>(() => DicomMultiFrameWriter.Create(_dir.File("b.dcm"), header, DicomTransferSyntax.DeflatedExplicitVRLittleEndian));
        Assert.Throws<ArgumentException>(() => new DicomMultiFrameWriter(new NonSeekableStream(), header, DicomTransferSyntax.ExplicitVRLittleEndian));
    }

    [Fact]
    public void WriterStoresFramesAsAStraightCopyAfterTheHeader()
    {
        const int rows = 16, columns = 16;
        var path = _dir.File("copy.dcm");
        var frame = TestObjects.Frame(rows, columns, 16, 3);
        long length;
        using (var w = DicomMultiFrameWriter.Create(path, TestObjects.XaHeader(rows, columns, 16), DicomTransferSyntax.ExplicitVRLittleEndian))
        {
            w.WriteFrame(frame);
            w.WriteFrame(frame);
            length = w.Complete();
        }
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(length, bytes.Length);
        Assert.Equal(frame.Concat(frame).ToArray(), bytes[^(2 * frame.Length)..]);
        using var reader = DicomFileReader.Open(path);
        Assert.Equal(bytes.Length - 2 * frame.Length, reader.PixelDataOffset);
        Assert.Equal(2 * frame.Length, reader.PixelDataLength);
    }

    [Fact]
    public async Task AsyncFramesAndAnOddLengthFrameArePadded()
    {
        var path = _dir.File("odd.dcm");
        var header = TestObjects.XaHeader(3, 3, 8);
        using (var w = DicomMultiFrameWriter.Create(path, header, DicomTransferSyntax.ExplicitVRLittleEndian))
        {
            await w.WriteFrameAsync(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9 });
            w.Complete();
        }
        using var reader = DicomFileReader.Open(path);
        Assert.Equal(10, reader.PixelDataLength);
        var f = new byte[9];
        reader.ReadFrame(0, f);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9 }, f);
    }

    private sealed class NonSeekableStream : MemoryStream
    {
        public override bool CanSeek => false;
    }
}
