using CathLab.Wire.FrameLink;
using CathLab.Wire.Generator;

namespace CathLab.Sims.Tests.FrameLink;

public class FrameLinkCodecTests
{
    private static readonly FrameHeader Sample = new(FrameLinkMessageType.Frame, 77, 1234, 9_876_543_210, 1024, 1024, 14,
        813, 125, 625, (byte)ExposureKind.Cine, 42_000, 2 * 1024 * 1024);

    [Fact]
    public void Crc32_matches_the_standard_check_value()
    {
        Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8));
        Assert.Equal(0u, Crc32.Compute([]));
    }

    [Fact]
    public void Header_round_trips_and_has_the_documented_layout()
    {
        var bytes = new byte[FrameHeader.Size];
        Sample.Write(bytes);
        Assert.Equal("CLFL"u8.ToArray(), bytes[..4]);
        Assert.Equal(1, bytes[4]);
        Assert.Equal(64, bytes[6]);
        Assert.Equal(77, bytes[12]);
        Assert.Equal(FrameHeaderStatus.Ok, FrameHeader.TryRead(bytes, out var back));
        Assert.Equal(Sample, back);
        Assert.Equal(new Technique(81.3, 12.5, 6.25), back.Technique);
    }

    [Fact]
    public void Technique_encodes_to_the_generator_link_fixed_point_units()
    {
        var (kv, ma, width) = FrameHeader.Encode(new Technique(81.34, 12.46, 6.254));
        Assert.Equal((ushort)813, kv);
        Assert.Equal((ushort)125, ma);
        Assert.Equal((ushort)625, width);
        Assert.Equal((ushort)0, FrameHeader.Encode(new Technique(-1, 0, 0)).KvTenths);
    }

    [Theory]
    [InlineData(0, FrameHeaderStatus.BadMagic)]
    [InlineData(4, FrameHeaderStatus.UnsupportedVersion)]
    [InlineData(6, FrameHeaderStatus.BadHeaderLength)]
    [InlineData(20, FrameHeaderStatus.BadCrc)]
    [InlineData(61, FrameHeaderStatus.BadCrc)]
    public void Damaged_header_is_rejected_with_the_reason(int damagedByte, FrameHeaderStatus expected)
    {
        var bytes = new byte[FrameHeader.Size];
        Sample.Write(bytes);
        bytes[damagedByte] ^= 0x10;
        Assert.Equal(expected, FrameHeader.TryRead(bytes, out _));
        Assert.Equal(FrameHeaderStatus.TooShort, FrameHeader.TryRead(bytes.AsSpan(0, 63), out _));
    }

    [Fact]
    public void Requests_round_trip_and_are_validated()
    {
        var bytes = new byte[FrameLinkRequest.Size];
        foreach (var request in new[] { FrameLinkRequest.Subscribe, FrameLinkRequest.Unsubscribe, FrameLinkRequest.DarkFrames(5), FrameLinkRequest.SetMode(512) })
        {
            request.Write(bytes);
            Assert.Null(FrameLinkRequest.TryRead(bytes, out var back));
            Assert.Equal(request, back);
            Assert.Null(back.Validate());
        }
        Assert.Equal(FrameLinkErrorCode.BadArgument, FrameLinkRequest.DarkFrames(65).Validate());
        Assert.Equal(FrameLinkErrorCode.BadArgument, FrameLinkRequest.SetMode(256).Validate());
        Assert.Equal(FrameLinkErrorCode.BadArgument, new FrameLinkRequest(FrameLinkRequestType.Subscribe, 3).Validate());
        Assert.Equal(FrameLinkErrorCode.UnknownRequest, new FrameLinkRequest((FrameLinkRequestType)99, 0).Validate());
    }

    [Fact]
    public void Damaged_requests_are_told_apart()
    {
        var bytes = new byte[FrameLinkRequest.Size];
        FrameLinkRequest.Subscribe.Write(bytes);
        bytes[0] = (byte)'X';
        Assert.Equal(FrameLinkErrorCode.BadMagic, FrameLinkRequest.TryRead(bytes, out _));
        FrameLinkRequest.Subscribe.Write(bytes);
        bytes[10] ^= 1;
        Assert.Equal(FrameLinkErrorCode.BadCrc, FrameLinkRequest.TryRead(bytes, out _));
        Assert.True(FrameLinkRequest.ClosesConnection(FrameLinkErrorCode.BadCrc));
        Assert.False(FrameLinkRequest.ClosesConnection(FrameLinkErrorCode.BadArgument));
        Assert.Throws<ArgumentException>(() => FrameLinkRequest.TryRead(bytes.AsSpan(0, 8), out _));
    }

    [Fact]
    public void Error_and_ack_payloads_round_trip()
    {
        var buffer = new byte[FrameLinkError.MaxSize];
        var error = new FrameLinkError(FrameLinkErrorCode.BadArgument, 4, "mode 700 is not 1024 or 512");
        int length = error.Write(buffer);
        Assert.Equal(error, FrameLinkError.Read(buffer.AsSpan(0, length)));
        int longLength = new FrameLinkError(FrameLinkErrorCode.BadMagic, 0, new string('é', 500)).Write(buffer);
        Assert.Equal(FrameLinkError.MaxReasonChars, FrameLinkError.Read(buffer.AsSpan(0, longLength)).Reason.Length);

        var ack = new byte[FrameLinkAck.Size];
        FrameLinkAck.Write(ack, FrameLinkRequest.DarkFrames(7));
        Assert.Equal(FrameLinkRequest.DarkFrames(7), FrameLinkAck.Read(ack));
    }
}
