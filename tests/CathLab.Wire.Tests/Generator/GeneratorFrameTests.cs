using System.Text;
using CathLab.Wire.Generator;

namespace CathLab.Wire.Tests.Generator;

public sealed class GeneratorFrameTests
{
    [Fact]
    public void Crc_matches_the_published_check_value() =>
        Assert.Equal(0x29B1, Crc16.Compute(Encoding.ASCII.GetBytes("123456789")));

    [Fact]
    public void A_frame_round_trips_through_the_decoder()
    {
        var frame = new byte[GeneratorFrame.MaxFrame];
        int length = GeneratorFrame.Encode(frame, 0xBEEF, MessageType.SetTechnique, [1, 2, 3, 4]);
        Assert.Equal(12, length);
        Assert.Equal(GeneratorFrame.Stx, frame[0]);
        Assert.Equal(GeneratorFrame.Etx, frame[length - 1]);

        var decoder = new GeneratorFrameDecoder();
        decoder.Append(frame.AsSpan(0, length));
        Assert.Equal(DecodeOutcome.Frame, decoder.TryDecode());
        Assert.Equal(0xBEEF, decoder.Sequence);
        Assert.Equal(MessageType.SetTechnique, decoder.Type);
        Assert.Equal([1, 2, 3, 4], decoder.Payload.ToArray());
        Assert.Equal(DecodeOutcome.NeedMoreBytes, decoder.TryDecode());
    }

    [Fact]
    public void Frames_split_across_reads_are_reassembled()
    {
        var frame = new byte[GeneratorFrame.MaxFrame];
        int length = GeneratorFrame.Encode(frame, 5, MessageType.Heartbeat, default);
        var decoder = new GeneratorFrameDecoder();
        for (int i = 0; i < length - 1; i++)
        {
            decoder.Append(frame.AsSpan(i, 1));
            Assert.Equal(DecodeOutcome.NeedMoreBytes, decoder.TryDecode());
        }
        decoder.Append(frame.AsSpan(length - 1, 1));
        Assert.Equal(DecodeOutcome.Frame, decoder.TryDecode());
    }

    [Fact]
    public void After_noise_and_damage_the_decoder_finds_every_intact_frame()
    {
        var random = new Random(5);
        var stream = new List<byte>();
        var expected = new List<ushort>();
        var frame = new byte[GeneratorFrame.MaxFrame];
        for (ushort seq = 1; seq <= 300; seq++)
        {
            var noise = new byte[random.Next(0, 12)];
            random.NextBytes(noise);
            stream.AddRange(noise);
            var payload = new byte[random.Next(0, 40)];
            random.NextBytes(payload);
            int length = GeneratorFrame.Encode(frame, seq, MessageType.Event, payload);
            bool damage = random.NextDouble() < 0.2;
            if (damage) frame[random.Next(1, length)] ^= (byte)random.Next(1, 256);
            else expected.Add(seq);
            stream.AddRange(frame.AsSpan(0, length).ToArray());
        }

        var decoder = new GeneratorFrameDecoder();
        var found = new List<ushort>();
        var bytes = stream.ToArray();
        for (int i = 0; i < bytes.Length; i += 64)
        {
            var chunk = bytes.AsSpan(i, Math.Min(64, bytes.Length - i));
            while (!chunk.IsEmpty)
            {
                chunk = chunk[decoder.Append(chunk)..];
                DecodeOutcome outcome;
                while ((outcome = decoder.TryDecode()) != DecodeOutcome.NeedMoreBytes)
                {
                    if (outcome == DecodeOutcome.Frame && decoder.Type == MessageType.Event) found.Add(decoder.Sequence);
                }
            }
        }
        // A damaged frame can hide the next intact one only until the line goes quiet; here every intact frame must surface.
        Assert.Equal(expected, found.Intersect(expected));
        Assert.True(expected.Count > 200);
    }

    [Fact]
    public void An_oversized_length_is_a_damaged_frame_not_a_wait()
    {
        var decoder = new GeneratorFrameDecoder();
        decoder.Append([GeneratorFrame.Stx, 251, 0, 0, 1]);
        Assert.Equal(DecodeOutcome.DamagedFrame, decoder.TryDecode());
        Assert.Equal(RefusalReason.Malformed, decoder.ErrorReason);
    }

    [Fact]
    public void A_payload_too_long_for_a_frame_is_refused() =>
        Assert.Throws<ArgumentException>(() => GeneratorFrame.Encode(new byte[400], 1, MessageType.Event, new byte[251]));

    [Fact]
    public void Messages_round_trip_and_short_payloads_are_malformed()
    {
        var buffer = new byte[GeneratorFrame.MaxPayload];
        var w = new PayloadWriter(buffer);
        var pulse = new PulseEvent(42, 123456789, ExposureKind.Cine, new Technique(81.3, 512.7, 7.5), 98765);
        pulse.Write(ref w);
        byte[] written = w.Written.ToArray();
        Assert.Equal(pulse, GeneratorEvent.Read(written));
        Assert.Throws<MalformedPayloadException>(() => GeneratorEvent.Read(written.AsSpan(0, written.Length - 1)));
        Assert.Throws<MalformedPayloadException>(() => GeneratorEvent.Read([0x77]));
        Assert.Throws<MalformedPayloadException>(() => GeneratorEvent.Read([.. written, 0]));
    }

    [Fact]
    public void A_technique_that_does_not_fit_the_wire_is_refused()
    {
        var buffer = new byte[16];
        Assert.Throws<ArgumentOutOfRangeException>(() =>
        {
            var w = new PayloadWriter(buffer);
            w.Technique(new Technique(7000, 10, 5));
        });
    }
}
