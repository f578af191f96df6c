using System.Collections.Concurrent;
using CathLab.FirmwareBridge.Link;
using CathLab.Wire.Generator;

namespace CathLab.FirmwareBridge.Tests.Support;

/// <summary>A serial line without hardware: what the station writes is decoded and recorded; a generator that
/// answers (<see cref="Answering"/>) sends an Ack for each command with its answer fields; tests can also put raw
/// bytes on the line, or break it.</summary>
public sealed class FakeSerialConnection : ISerialConnection
{
    private readonly BlockingCollection<byte[]> _incoming = new();
    private readonly LineRecorder _written = new();
    private readonly GeneratorFrameDecoder _decoder = new();
    private volatile bool _broken;

    public bool Answering { get; set; } = true;
    public bool Disposed { get; private set; }

    public List<LineFrame> Written => _written.Frames;
    public List<LineFrame> WrittenOf(MessageType type) => _written.Of(type);

    public GeneratorCapabilities Capabilities { get; init; } = TestCapabilities.Default;

    public void Inject(byte[] bytes) => _incoming.Add(bytes);

    /// <summary>The cable is pulled: the next read or write throws.</summary>
    public void Break()
    {
        _broken = true;
        _incoming.Add([]);
    }

    public int Read(Span<byte> buffer, int timeoutMs)
    {
        if (_broken || Disposed) throw new IOException("fake line broken");
        if (!_incoming.TryTake(out var bytes, timeoutMs)) return 0;
        if (_broken) throw new IOException("fake line broken");
        bytes.CopyTo(buffer);
        return bytes.Length;
    }

    public void Write(ReadOnlySpan<byte> bytes)
    {
        if (_broken || Disposed) throw new IOException("fake line broken");
        _written.Write(bytes);
        if (!Answering) return;
        foreach (var frame in LineFrames.Decode(bytes))
        {
            if (frame.Type is MessageType.EventAck) continue;
            Inject(LineFrames.Ack(frame.Sequence, frame.Type, AnswerFields(frame)));
        }
    }

    private byte[] AnswerFields(LineFrame frame) => frame.Type switch
    {
        MessageType.Identify => LineFrames.Fields((ref PayloadWriter w) => new GeneratorIdentity(GeneratorIdentity.CurrentProtocolVersion, "fake", "1").Write(ref w)),
        MessageType.GetCapabilities => LineFrames.Fields((ref PayloadWriter w) => Capabilities.Write(ref w)),
        MessageType.SetTechnique => frame.Payload,
        _ => [],
    };

    public void Dispose() => Disposed = true;
}

/// <summary>Hands out fake connections: one per Open, or refuses while <see cref="Refusing"/>.</summary>
public sealed class FakeSerialConnector : ISerialConnector
{
    private readonly List<FakeSerialConnection> _opened = [];

    public string Description => "fake line";
    public bool Refusing { get; set; }
    public int Attempts { get; private set; }
    public bool Answering { get; set; } = true;

    public List<FakeSerialConnection> Opened
    {
        get { lock (_opened) return [.. _opened]; }
    }

    public ISerialConnection Open()
    {
        lock (_opened)
        {
            Attempts++;
            if (Refusing) throw new IOException("fake port absent");
            var connection = new FakeSerialConnection { Answering = Answering };
            _opened.Add(connection);
            return connection;
        }
    }
}
