using CathLab.Dicom.Codecs;
using CathLab.Dicom.Data;
using CathLab.Dicom.IO;
using CathLab.Dicom.Tests.Support;

namespace CathLab.Dicom.Tests.Codecs;

public class RleCodecTests
{
    [Theory]
    [InlineData(64, 64, 8, 1)]
    [InlineData(64, 48, 16, 1)]
    [InlineData(17, 33, 16, 1)]
    [InlineData(1, 1, 8, 1)]
    [InlineData(300, 300, 16, 1)]
    [InlineData(20, 30, 8, 3)]
    public void EncodeThenDecodeGivesTheFrameBack(int rows, int columns, int bits, int samples)
    {
        var format = new DicomFrameFormat(rows, columns, bits, samples);
        var frame = samples == 1 ? TestObjects.Frame(rows, columns, bits, seed: 5) : RandomBytes(format.FrameLength, 9);
        var encoded = RleCodec.Encode(frame, format);
        Assert.Equal(0, encoded.Length % 2);
        Assert.Equal(format.SegmentCount, BitConverter.ToInt32(encoded, 0));
        var decoded = new byte[format.FrameLength];
        RleCodec.Decode(encoded, format, decoded);
        Assert.Equal(frame, decoded);
    }

    [Fact]
    public void FlatFramesCompressAndNoiseStaysWithinTheBound()
    {
        var format = new DicomFrameFormat(256, 256, 16);
        var flat = new byte[format.FrameLength];
        Assert.True(RleCodec.Encode(flat, format).Length <= 64 + 2 * 256 * 4); // two 128-byte replicate runs a row, per byte plane
        var noise = RandomBytes(format.FrameLength, 1);
        Assert.True(RleCodec.Encode(noise, format).Length <= RleCodec.MaxEncodedLength(format));
    }

    [Fact]
    public void DecodesHandMadePackBitsRuns()
    {
        // One 8-bit segment, 1 row of 8 pixels: literal "1 2 3", replicate 5 x 9; plus a -128 no-op.
        var encoded = new byte[64 + 8];
        BitConverter.GetBytes(1).CopyTo(encoded, 0);
        BitConverter.GetBytes(64).CopyTo(encoded, 4);
        new byte[] { 2, 1, 2, 3, 0x80, unchecked((byte)-4), 9, 0 }.CopyTo(encoded, 64);
        var decoded = new byte[8];
        RleCodec.Decode(encoded, new DicomFrameFormat(1, 8, 8), decoded);
        Assert.Equal(new byte[] { 1, 2, 3, 9, 9, 9, 9, 9 }, decoded);
    }

    [Fact]
    public void DamagedFramesAreRefused()
    {
        var format = new DicomFrameFormat(16, 16, 16);
        var good = RleCodec.Encode(TestObjects.Frame(16, 16, 16, 1), format);
        var dest = new byte[format.FrameLength];
        Assert.Throws<DicomFormatException>(() => RleCodec.Decode(good.AsSpan(0, 40), format, dest));
        Assert.Throws<DicomFormatException>(() => RleCodec.Decode(good.AsSpan(0, 70), format, dest));
        var wrongSegments = (byte[])good.Clone();
        wrongSegments[0] = 3;
        Assert.Throws<DicomFormatException>(() => RleCodec.Decode(wrongSegments, format, dest));
        var badOffset = (byte[])good.Clone();
        BitConverter.GetBytes(int.MaxValue).CopyTo(badOffset, 8);
        Assert.Throws<DicomFormatException>(() => RleCodec.Decode(badOffset, format, dest));
    }

    private static byte[] RandomBytes(int n, int seed)
    {
        var b = new byte[n];
        new Random(seed).NextBytes(b);
        return b;
    }
}
