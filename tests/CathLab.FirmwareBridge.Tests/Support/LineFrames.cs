using CathLab.Wire.Generator;

namespace CathLab.FirmwareBridge.Tests.Support;

/// <summary>One frame as it crossed the line.</summary>
public sealed record LineFrame(ushort Sequence, MessageType Type, byte[] Payload);

/// <summary>Builds and reads protocol v1 frames for the lane tests.</summary>
public static class LineFrames
{
    public static byte[] Encode(ushort sequence, MessageType type, ReadOnlySpan<byte> payload)
    {
        var frame = new byte[GeneratorFrame.MaxFrame];
        int n = GeneratorFrame.Encode(frame, sequence, type, payload);
        return frame[..n];
    }

    /// <summary>An Ack of <paramref name="command"/> with its answer fields.</summary>
    public static byte[] Ack(ushort sequence, MessageType command, ReadOnlySpan<byte> fields = default) =>
        Encode(sequence, MessageType.Ack, [(byte)command, .. fields]);

    public static byte[] Event(ushort sequence, GeneratorEvent e)
    {
        var payload = new byte[256];
        var w = new PayloadWriter(payload);
        e.Write(ref w);
        return Encode(sequence, MessageType.Event, payload.AsSpan(0, w.Length));
    }

    public static byte[] Fields(PayloadWrite write)
    {
        var payload = new byte[256];
        var w = new PayloadWriter(payload);
        write(ref w);
        return payload[..w.Length];
    }

    public delegate void PayloadWrite(ref PayloadWriter w);

    /// <summary>Every whole frame in <paramref name="bytes"/>.</summary>
    public static List<LineFrame> Decode(ReadOnlySpan<byte> bytes)
    {
        var decoder = new GeneratorFrameDecoder();
        var frames = new List<LineFrame>();
        int offset = 0;
        while (offset < bytes.Length)
        {
            offset += decoder.Append(bytes[offset..]);
            DecodeOutcome outcome;
            while ((outcome = decoder.TryDecode()) != DecodeOutcome.NeedMoreBytes)
            {
                if (outcome == DecodeOutcome.Frame) frames.Add(new LineFrame(decoder.Sequence, decoder.Type, decoder.Payload.ToArray()));
            }
        }
        return frames;
    }
}

/// <summary>Collects what a lane writes to the line, frame by frame.</summary>
public sealed class LineRecorder
{
    private readonly List<LineFrame> _frames = [];

    public bool Accepting { get; set; } = true;

    public bool Write(ReadOnlySpan<byte> frame)
    {
        if (!Accepting) return false;
        var decoded = LineFrames.Decode(frame);
        lock (_frames) _frames.AddRange(decoded);
        return true;
    }

    public List<LineFrame> Frames
    {
        get { lock (_frames) return [.. _frames]; }
    }

    public List<LineFrame> Of(MessageType type) => Frames.Where(f => f.Type == type).ToList();
}
