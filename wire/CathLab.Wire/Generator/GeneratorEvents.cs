namespace CathLab.Wire.Generator;

public enum GeneratorEventType : byte
{
    StateChanged = 0x01,
    ExposureStarted = 0x02,
    Pulse = 0x03,
    ExposureEnded = 0x04,
    Fault = 0x05,
    Heat = 0x06,
    EventsLost = 0x07,
}

/// <summary>An unsolicited message from the generator (frame type Event; the first payload byte is the event type).</summary>
public abstract record GeneratorEvent
{
    public abstract GeneratorEventType Type { get; }

    protected abstract void WriteBody(ref PayloadWriter w);

    public void Write(ref PayloadWriter w)
    {
        w.U8((byte)Type);
        WriteBody(ref w);
    }

    public static GeneratorEvent Read(ReadOnlySpan<byte> payload)
    {
        var r = new PayloadReader(payload);
        var type = (GeneratorEventType)r.U8();
        GeneratorEvent e = type switch
        {
            GeneratorEventType.StateChanged => new StateChangedEvent((GeneratorState)r.U8()),
            GeneratorEventType.ExposureStarted => new ExposureStartedEvent(TechniqueSetting.Read(ref r)),
            GeneratorEventType.Pulse => new PulseEvent(r.U32(), r.U64(), TechniqueSetting.ReadKind(ref r), r.Technique(), r.U32()),
            GeneratorEventType.ExposureEnded => new ExposureEndedEvent((ExposureEndReason)r.U8(), r.U32()),
            GeneratorEventType.Fault => new FaultEvent((FaultCode)r.U8(), r.Text()),
            GeneratorEventType.Heat => new HeatEvent(r.U8(), r.U32()),
            GeneratorEventType.EventsLost => new EventsLostEvent(r.U32()),
            _ => throw new MalformedPayloadException($"unknown event type 0x{(byte)type:X2}"),
        };
        r.End();
        return e;
    }
}

public sealed record StateChangedEvent(GeneratorState State) : GeneratorEvent
{
    public override GeneratorEventType Type => GeneratorEventType.StateChanged;
    protected override void WriteBody(ref PayloadWriter w) => w.U8((byte)State);
}

public sealed record ExposureStartedEvent(TechniqueSetting Setting) : GeneratorEvent
{
    public override GeneratorEventType Type => GeneratorEventType.ExposureStarted;
    protected override void WriteBody(ref PayloadWriter w) => Setting.Write(ref w);
}

/// <summary>One delivered pulse with the technique the generator actually measured, and its air kerma at the reference point.</summary>
public sealed record PulseEvent(uint PulseId, ulong TimestampMicroseconds, ExposureKind Kind, Technique Technique, uint AirKermaNanoGray) : GeneratorEvent
{
    public override GeneratorEventType Type => GeneratorEventType.Pulse;

    public double AirKermaMilliGray => AirKermaNanoGray / 1e6;

    protected override void WriteBody(ref PayloadWriter w)
    {
        w.U32(PulseId);
        w.U64(TimestampMicroseconds);
        w.U8((byte)Kind);
        w.Technique(Technique);
        w.U32(AirKermaNanoGray);
    }
}

public sealed record ExposureEndedEvent(ExposureEndReason Reason, uint Pulses) : GeneratorEvent
{
    public override GeneratorEventType Type => GeneratorEventType.ExposureEnded;
    protected override void WriteBody(ref PayloadWriter w)
    {
        w.U8((byte)Reason);
        w.U32(Pulses);
    }
}

public sealed record FaultEvent(FaultCode Code, string Text) : GeneratorEvent
{
    public override GeneratorEventType Type => GeneratorEventType.Fault;
    protected override void WriteBody(ref PayloadWriter w)
    {
        w.U8((byte)Code);
        w.Text(Text);
    }
}

/// <summary>Tube heat as a percentage of the tube's heat capacity, and in heat units.</summary>
public sealed record HeatEvent(byte Percent, uint HeatUnits) : GeneratorEvent
{
    public override GeneratorEventType Type => GeneratorEventType.Heat;
    protected override void WriteBody(ref PayloadWriter w)
    {
        w.U8(Percent);
        w.U32(HeatUnits);
    }
}

/// <summary>The generator's backlog of unacknowledged events overflowed: <see cref="Count"/> events that came before
/// this one were discarded (docs/generator-protocol.md, Events).</summary>
public sealed record EventsLostEvent(uint Count) : GeneratorEvent
{
    public override GeneratorEventType Type => GeneratorEventType.EventsLost;
    protected override void WriteBody(ref PayloadWriter w) => w.U32(Count);
}
