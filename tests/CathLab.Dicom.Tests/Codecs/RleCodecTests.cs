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

    public static TheoryData<string, int, int> PatternsAndWidths()
    {
        var data = new TheoryData<string, int, int>();
        foreach (var name in RlePatterns.Names)
        foreach (var columns in new[] { 1, 3, 511, 1023, 1024 })
        foreach (var bits in new[] { 8, 16 })
            data.Add(name, columns, bits);
        return data;
    }

    [Theory]
    [MemberData(nameof(PatternsAndWidths))]
    public void EveryPatternAndWidthRoundTripsRowByRow(string pattern, int columns, int bits)
    {
        var format = new DicomFrameFormat(6, columns, bits);
        AssertRoundTrip(RlePatterns.Frame(pattern, format), format);
    }

    [Theory]
    [InlineData(8, 3)]
    [InlineData(16, 3)]
    [InlineData(32, 1)]
    [InlineData(16, 4)]
    public void MultiSampleAndWideSampleFormatsRoundTrip(int bits, int samples)
    {
        foreach (var pattern in new[] { "random", "boundary", "xray", "constant" })
        foreach (var columns in new[] { 3, 511 })
            AssertRoundTrip(RlePatterns.Frame(pattern, new DicomFrameFormat(5, columns, bits, samples)), new DicomFrameFormat(5, columns, bits, samples));
    }

    [Theory]
    [InlineData(8)]
    [InlineData(16)]
    public void RowsWiderThanTheStackScratchRoundTrip(int bits)
    {
        var format = new DicomFrameFormat(3, 5000, bits);
        foreach (var pattern in new[] { "random", "boundary", "xray" })
            AssertRoundTrip(RlePatterns.Frame(pattern, format), format);
    }

    [Fact]
    public void RandomMixesOfRunsAndLiteralsStayWithinMaxEncodedLength()
    {
        var random = new Random(11);
        for (var trial = 0; trial < 200; trial++)
        {
            var format = new DicomFrameFormat(random.Next(1, 5), random.Next(1, 700), random.Next(2) == 0 ? 8 : 16, random.Next(1, 4));
            var frame = new byte[format.FrameLength];
            var i = 0;
            while (i < frame.Length)
            {
                var length = random.Next(1, random.Next(2) == 0 ? 6 : 300);
                if (random.Next(2) == 0) frame.AsSpan(i, Math.Min(length, frame.Length - i)).Fill((byte)random.Next(256));
                else random.NextBytes(frame.AsSpan(i, Math.Min(length, frame.Length - i)));
                i += length;
            }
            // Exactly MaxEncodedLength of room: the encoder's vector copies must not need more.
            var destination = new byte[RleCodec.MaxEncodedLength(format)];
            var n = RleCodec.Encode(frame, format, destination);
            Assert.InRange(n, 64, destination.Length);
            var decoded = new byte[format.FrameLength];
            RleCodec.Decode(destination.AsSpan(0, n), format, decoded);
            Assert.Equal(frame, decoded);
        }
    }

    [Fact]
    public void IncompressibleRowsReachMaxEncodedLengthAndNoMore()
    {
        foreach (var columns in new[] { 1, 127, 128, 129, 1024 })
        {
            var format = new DicomFrameFormat(4, columns, 16);
            var frame = RlePatterns.Frame("alternating", format);
            Assert.True(RleCodec.Encode(frame, format).Length >= RleCodec.MaxEncodedLength(format) - 2);
            Assert.True(RleCodec.Encode(frame, format).Length <= RleCodec.MaxEncodedLength(format));
        }
    }

    [Fact]
    public void DecodesPacketsThatCrossRowEnds()
    {
        // 16-bit, 2 rows x 3 columns; other encoders may let one packet run over a row end.
        var high = new byte[] { unchecked((byte)-5), 0x12 };                         // 6 x 0x12
        var low = new byte[] { 4, 1, 2, 3, 4, 5, 0, 6 };                          // literal 1..5, then literal 6
        var encoded = new byte[64 + high.Length + low.Length];
        BitConverter.GetBytes(2).CopyTo(encoded, 0);
        BitConverter.GetBytes(64).CopyTo(encoded, 4);
        BitConverter.GetBytes(64 + high.Length).CopyTo(encoded, 8);
        high.CopyTo(encoded, 64);
        low.CopyTo(encoded, 64 + high.Length);
        var decoded = new byte[12];
        RleCodec.Decode(encoded, new DicomFrameFormat(2, 3, 16), decoded);
        Assert.Equal(new byte[] { 1, 0x12, 2, 0x12, 3, 0x12, 4, 0x12, 5, 0x12, 6, 0x12 }, decoded);
    }

    [Theory]
    [InlineData(8)]
    [InlineData(16)]
    public void TruncatedOrBrokenSegmentsAreRefused(int bits)
    {
        var format = new DicomFrameFormat(32, 64, bits);
        var good = RleCodec.Encode(RlePatterns.Frame("boundary", format), format);
        var dest = new byte[format.FrameLength];
        // The last segment cut short: it decodes to too few bytes, or its last literal passes the end.
        var cut = good.AsSpan(0, good.Length - 40).ToArray();
        var error = Assert.Throws<DicomFormatException>(() => RleCodec.Decode(cut, format, dest));
        Assert.Contains("RLE", error.Message);
        // A replicate header as the very last byte has no byte to repeat.
        var last = BitConverter.ToInt32(good, 4 * format.SegmentCount);
        var broken = good.AsSpan(0, last).ToArray().Append(unchecked((byte)-3)).ToArray();
        Assert.Throws<DicomFormatException>(() => RleCodec.Decode(broken, format, dest));
    }

    [Theory]
    [InlineData(16, 1, "xray")]
    [InlineData(16, 1, "random")]
    [InlineData(8, 1, "xray")]
    [InlineData(8, 3, "boundary")]
    public void EncodeAndDecodeAllocateNothingInSteadyState(int bits, int samples, string pattern)
    {
        var format = new DicomFrameFormat(1024, 1024, bits, samples);
        var frame = RlePatterns.Frame(pattern, format);
        var encoded = new byte[RleCodec.MaxEncodedLength(format)];
        var decoded = new byte[format.FrameLength];
        var n = RleCodec.Encode(frame, format, encoded);
        RleCodec.Decode(encoded.AsSpan(0, n), format, decoded);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 3; i++) RleCodec.Encode(frame, format, encoded);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 3; i++) RleCodec.Decode(encoded.AsSpan(0, n), format, decoded);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(frame, decoded);
    }

    [Fact]
    public void CineFramesCompressLikeTheScalarEncoderDid()
    {
        var format = new DicomFrameFormat(1024, 1024, 16);
        var frame = RlePatterns.Frame("xray", format);
        var encoded = RleCodec.Encode(frame, format);
        Assert.Equal(frame, ReferencePackBits.DecodeCheckingRows(encoded, format));
        Assert.InRange(encoded.Length, format.FrameLength / 4, format.FrameLength * 3 / 4); // the low byte is noise, the high byte runs
        Assert.True(encoded.Length <= ReferencePackBits.ScalarEncodedLength(frame, format) * 1.01);
    }

    private static void AssertRoundTrip(byte[] frame, DicomFrameFormat format)
    {
        var encoded = RleCodec.Encode(frame, format);
        Assert.Equal(0, encoded.Length % 2);
        Assert.True(encoded.Length <= RleCodec.MaxEncodedLength(format), $"{encoded.Length} > {RleCodec.MaxEncodedLength(format)}");
        var decoded = new byte[format.FrameLength];
        RleCodec.Decode(encoded, format, decoded);
        Assert.Equal(frame, decoded);
        Assert.Equal(frame, ReferencePackBits.DecodeCheckingRows(encoded, format));
        // Never much larger than the greedy scalar encoder: it may trade a two-byte replicate for part of a literal.
        var scalar = ReferencePackBits.ScalarEncodedLength(frame, format);
        Assert.True(encoded.Length <= scalar * 1.01 + 2 * format.Rows * format.SegmentCount, $"{encoded.Length} vs scalar {scalar}");
    }

    private static byte[] RandomBytes(int n, int seed)
    {
        var b = new byte[n];
        new Random(seed).NextBytes(b);
        return b;
    }
}
