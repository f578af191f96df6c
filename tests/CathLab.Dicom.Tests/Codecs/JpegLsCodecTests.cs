using System.Runtime.InteropServices;
using CathLab.Dicom.Codecs;
using CathLab.Dicom.Data;
using CathLab.Dicom.Files;
using CathLab.Dicom.IO;
using CathLab.Dicom.Tests.Peers;
using CathLab.Testing;

namespace CathLab.Dicom.Tests.Codecs;

public class JpegLsCodecTests : IDisposable
{
    private const string CharLs = "libcharls.so.2";
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [PeerTheory(CharLs)]
    [InlineData(64, 64, 8, 8, 1)]
    [InlineData(64, 48, 16, 10, 1)]
    [InlineData(17, 33, 16, 12, 1)]
    [InlineData(40, 30, 16, 14, 1)]
    [InlineData(40, 30, 16, 16, 1)]
    [InlineData(1, 1, 8, 8, 1)]
    [InlineData(300, 300, 16, 12, 1)]
    [InlineData(20, 30, 8, 8, 3)]
    public void EncodeThenDecodeGivesTheFrameBack(int rows, int columns, int allocated, int stored, int samples)
    {
        var format = new DicomFrameFormat(rows, columns, allocated, samples, stored);
        var frame = Frame(format, seed: 5);
        var (encoded, decoded) = RoundTrip(JpegLsCodec.Lossless, frame, format);
        Assert.Equal(0, encoded.Length % 2);
        Assert.Equal([0xFF, 0xD8, 0xFF], encoded[..3]); // SOI, then a marker
        Assert.Equal(frame, decoded);
    }

    /// <summary>Our encoder and CharLS's code the same standard the same way: the same bytes, frame for frame.</summary>
    [PeerTheory(CharLs)]
    [InlineData(1, 1, 8, 8, 0)]
    [InlineData(1, 37, 16, 12, 1)]
    [InlineData(37, 1, 16, 12, 2)]
    [InlineData(64, 64, 8, 8, 3)]
    [InlineData(64, 48, 16, 10, 4)]
    [InlineData(100, 90, 16, 12, 5)]
    [InlineData(70, 81, 16, 14, 6)]
    [InlineData(40, 30, 16, 16, 7)]
    [InlineData(33, 29, 8, 5, 8)]
    [InlineData(50, 50, 16, 2, 9)]
    [InlineData(50, 50, 8, 3, 10)]
    [InlineData(50, 50, 8, 4, 11)]
    [InlineData(50, 50, 8, 6, 12)]
    [InlineData(50, 50, 8, 7, 13)]
    [InlineData(300, 257, 16, 13, 14)]
    [InlineData(300, 257, 16, 15, 15)]
    public void OurEncoderWritesWhatCharLsWrites(int rows, int columns, int allocated, int stored, int seed)
    {
        var format = new DicomFrameFormat(rows, columns, allocated, 1, stored);
        foreach (var frame in new[] { Frame(format, seed), Noise(format, seed), new byte[format.FrameLength] })
        {
            var ours = new byte[JpegLsCodec.Lossless.MaxEncodedLength(format)];
            var theirs = new byte[ours.Length];
            var n = JpegLsCodec.Lossless.Encode(frame, format, ours);
            var m = JpegLsCodec.LosslessThroughCharLs.Encode(frame, format, theirs);
            Assert.Equal(theirs.AsSpan(0, m).ToArray(), ours.AsSpan(0, n).ToArray());
        }
    }

    [PeerFact(CharLs)]
    public void ASampleAboveBitsStoredIsKeptByCodingAtBitsAllocated()
    {
        var format = new DicomFrameFormat(32, 32, 16, BitsStored: 12);
        var frame = Frame(format, seed: 2);
        MemoryMarshal.Cast<byte, ushort>(frame.AsSpan())[100] = 0xF123;
        Assert.Equal(frame, RoundTrip(JpegLsCodec.Lossless, frame, format).Decoded);
    }

    [PeerFact(CharLs)]
    public void FlatFramesCompressAndFullRangeNoiseStaysWithinTheBound()
    {
        var format = new DicomFrameFormat(256, 256, 16, BitsStored: 16);
        Assert.True(RoundTrip(JpegLsCodec.Lossless, new byte[format.FrameLength], format).Encoded.Length < 1024);
        var noise = new byte[format.FrameLength];
        new Random(1).NextBytes(noise);
        var (encoded, decoded) = RoundTrip(JpegLsCodec.Lossless, noise, format);
        Assert.True(encoded.Length > format.FrameLength, $"full-range noise should expand, took {encoded.Length} of {format.FrameLength}"); // what the bound is for
        Assert.Equal(noise, decoded);
    }

    [PeerFact(CharLs)]
    public void NearLosslessStaysWithinItsBoundAndCompressesMore()
    {
        var format = new DicomFrameFormat(128, 128, 16, BitsStored: 12);
        var frame = Frame(format, seed: 3);
        var near = JpegLsCodec.NearLossless(3);
        Assert.Equal(DicomTransferSyntax.JpegLsNearLossless, near.Syntax);
        var (encoded, decoded) = RoundTrip(near, frame, format);
        var a = MemoryMarshal.Cast<byte, ushort>(frame);
        var b = MemoryMarshal.Cast<byte, ushort>(decoded);
        for (var i = 0; i < a.Length; i++) Assert.InRange(b[i] - a[i], -3, 3);
        Assert.True(encoded.Length < RoundTrip(JpegLsCodec.Lossless, frame, format).Encoded.Length);
    }

    [PeerFact(CharLs)]
    public void MalformedCodestreamsGiveAClearFormatError()
    {
        var format = new DicomFrameFormat(64, 64, 16, BitsStored: 12);
        var frame = Frame(format, seed: 4);
        var good = RoundTrip(JpegLsCodec.Lossless, frame, format).Encoded;
        var dest = new byte[format.FrameLength];

        var truncated = Assert.Throws<DicomFormatException>(() => JpegLsCodec.Lossless.Decode(good.AsSpan(0, good.Length / 2), format, dest));
        Assert.Contains("JPEG-LS", truncated.Message);
        var headerOnly = Assert.Throws<DicomFormatException>(() => JpegLsCodec.Lossless.Decode(good.AsSpan(0, 10), format, dest));
        Assert.Contains("JPEG-LS", headerOnly.Message);
        var wrongMarker = (byte[])good.Clone();
        wrongMarker[1] = 0xC0; // SOI becomes SOF0
        Assert.Throws<DicomFormatException>(() => JpegLsCodec.Lossless.Decode(wrongMarker, format, dest));
        Assert.Throws<DicomFormatException>(() => JpegLsCodec.Lossless.Decode(ReadOnlySpan<byte>.Empty, format, dest));
        Assert.Throws<DicomFormatException>(() => JpegLsCodec.Lossless.Decode(new byte[500], format, dest));
        var otherSize = Assert.Throws<DicomFormatException>(() => JpegLsCodec.Lossless.Decode(good, format with { Rows = 32 }, new byte[format.FrameLength]));
        Assert.Contains("64x64", otherSize.Message);
        var garbage = new byte[2000];
        new Random(7).NextBytes(garbage);
        garbage[0] = 0xFF;
        garbage[1] = 0xD8;
        Assert.Throws<DicomFormatException>(() => JpegLsCodec.Lossless.Decode(garbage, format, dest));
    }

    [PeerFact(CharLs)]
    public void FilesAreTranscodedFrameByFrameBetweenEverySyntaxWithACodec()
    {
        var rle = _dir.File("rle.dcm");
        var expected = PeerFiles.WriteMultiFrame(rle, DicomTransferSyntax.RleLossless, 40, 50, 16, 3);
        var chain = new[] { DicomTransferSyntax.JpegLsLossless, DicomTransferSyntax.RleLossless, DicomTransferSyntax.JpegLsLossless, DicomTransferSyntax.ImplicitVRLittleEndian, DicomTransferSyntax.JpegLsLossless };
        var source = rle;
        foreach (var target in chain)
        {
            var next = _dir.File($"{Guid.NewGuid():N}.dcm");
            using (var reader = DicomFileReader.Open(source))
            using (var output = File.Create(next))
                reader.CopyFileTo(output, target);
            using (var check = DicomFileReader.Open(next))
            {
                Assert.Equal(target.Uid, check.Meta.TransferSyntaxUid);
                var frame = new byte[check.FrameFormat.FrameLength];
                for (var i = 0; i < expected.Count; i++)
                {
                    check.ReadFrame(i, frame);
                    Assert.Equal(expected[i], frame);
                }
            }
            source = next;
        }
        var inMemory = DicomFile.Open(source).ChangeTransferSyntax(DicomTransferSyntax.RleLossless).ChangeTransferSyntax(DicomTransferSyntax.ExplicitVRLittleEndian);
        var pixels = ((DicomBinaryElement)inMemory.DataSet[DicomTag.PixelData]).Data.ToArray();
        Assert.Equal(expected.SelectMany(f => f), pixels);
    }

    private static (byte[] Encoded, byte[] Decoded) RoundTrip(JpegLsCodec codec, byte[] frame, DicomFrameFormat format)
    {
        var buffer = new byte[codec.MaxEncodedLength(format)];
        var encoded = buffer.AsSpan(0, codec.Encode(frame, format, buffer)).ToArray();
        var decoded = new byte[format.FrameLength];
        codec.Decode(encoded, format, decoded);
        return (encoded, decoded);
    }

    private static byte[] Noise(DicomFrameFormat format, int seed)
    {
        var frame = new byte[format.FrameLength];
        var random = new Random(seed);
        var max = 1 << format.SampleBits;
        var wide = MemoryMarshal.Cast<byte, ushort>(frame.AsSpan());
        for (var i = 0; i < format.PixelCount; i++)
        {
            if (format.BitsAllocated == 8) frame[i] = (byte)random.Next(0, max);
            else wide[i] = (ushort)random.Next(0, max);
        }
        return frame;
    }

    private static byte[] Frame(DicomFrameFormat format, int seed)
    {
        var frame = new byte[format.FrameLength];
        var random = new Random(seed);
        var max = (1 << format.SampleBits) - 1;
        var samples = format.PixelCount * format.SamplesPerPixel;
        var wide = MemoryMarshal.Cast<byte, ushort>(frame.AsSpan());
        for (var i = 0; i < samples; i++)
        {
            var r = i / (format.Columns * format.SamplesPerPixel);
            var v = r < format.Rows / 3 ? 100 % (max + 1) : r < 2 * format.Rows / 3 ? (i * 7) & max : random.Next(0, max + 1);
            if (format.BitsAllocated == 8) frame[i] = (byte)v;
            else wide[i] = (ushort)v;
        }
        return frame;
    }
}
