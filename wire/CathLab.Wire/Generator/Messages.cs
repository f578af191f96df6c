namespace CathLab.Wire.Generator;

/// <summary>Answer to Identify.</summary>
public readonly record struct GeneratorIdentity(byte ProtocolVersion, string Model, string Firmware)
{
    public const byte CurrentProtocolVersion = 1;

    public void Write(ref PayloadWriter w)
    {
        w.U8(ProtocolVersion);
        w.Text(Model);
        w.Text(Firmware);
    }

    public static GeneratorIdentity Read(ref PayloadReader r) => new(r.U8(), r.Text(), r.Text());
}

/// <summary>An inclusive range of a technique factor.</summary>
public readonly record struct FactorRange(double Min, double Max)
{
    public bool Contains(double value) => value >= Min - 1e-9 && value <= Max + 1e-9;

    public double Clamp(double value) => Math.Clamp(value, Min, Max);

    public override string ToString() => $"{Min}..{Max}";
}

/// <summary>Answer to GetCapabilities: what the generator can do.</summary>
public sealed record GeneratorCapabilities(
    FactorRange Kv,
    FactorRange Ma,
    FactorRange PulseWidthMs,
    double CinePulseWidthMaxMs,
    FactorRange PulseRate,
    IReadOnlySet<ExposureKind> Kinds,
    int HeartbeatWindowMs,
    uint HeatCapacityUnits,
    double MaxPowerKw)
{
    /// <summary>Why <paramref name="setting"/> is outside these capabilities, or null when it is inside.</summary>
    public string? Violation(in TechniqueSetting setting)
    {
        if (!Kinds.Contains(setting.Kind)) return $"{setting.Kind} not supported";
        var t = setting.Technique;
        if (!Kv.Contains(t.Kv)) return $"{t.Kv} kV outside {Kv} kV";
        if (!Ma.Contains(t.Ma)) return $"{t.Ma} mA outside {Ma} mA";
        double maxWidth = setting.Kind == ExposureKind.Cine ? CinePulseWidthMaxMs : PulseWidthMs.Max;
        if (t.PulseWidthMs < PulseWidthMs.Min - 1e-9 || t.PulseWidthMs > maxWidth + 1e-9) return $"{t.PulseWidthMs} ms outside {PulseWidthMs.Min}..{maxWidth} ms";
        if (!PulseRate.Contains(setting.PulseRate)) return $"{setting.PulseRate} pulses/s outside {PulseRate} pulses/s";
        if (t.Kv * t.Ma / 1000.0 > MaxPowerKw + 1e-9) return $"{t.Kv * t.Ma / 1000.0:0.0} kW above the tube's {MaxPowerKw} kW";
        return null;
    }

    public void Write(ref PayloadWriter w)
    {
        w.Fixed16(Kv.Min, TechniqueUnits.Kv); w.Fixed16(Kv.Max, TechniqueUnits.Kv);
        w.Fixed16(Ma.Min, TechniqueUnits.Ma); w.Fixed16(Ma.Max, TechniqueUnits.Ma);
        w.Fixed16(PulseWidthMs.Min, TechniqueUnits.PulseWidthMs); w.Fixed16(PulseWidthMs.Max, TechniqueUnits.PulseWidthMs);
        w.Fixed16(CinePulseWidthMaxMs, TechniqueUnits.PulseWidthMs);
        w.Fixed16(PulseRate.Min, TechniqueUnits.PulseRate); w.Fixed16(PulseRate.Max, TechniqueUnits.PulseRate);
        byte kinds = 0;
        foreach (var kind in Kinds) kinds |= (byte)(1 << (int)kind);
        w.U8(kinds);
        w.U16((ushort)HeartbeatWindowMs);
        w.U32(HeatCapacityUnits);
        w.Fixed16(MaxPowerKw, 0.1);
    }

    public static GeneratorCapabilities Read(ref PayloadReader r)
    {
        var kv = new FactorRange(r.Fixed16(TechniqueUnits.Kv), r.Fixed16(TechniqueUnits.Kv));
        var ma = new FactorRange(r.Fixed16(TechniqueUnits.Ma), r.Fixed16(TechniqueUnits.Ma));
        var width = new FactorRange(r.Fixed16(TechniqueUnits.PulseWidthMs), r.Fixed16(TechniqueUnits.PulseWidthMs));
        double cineWidth = r.Fixed16(TechniqueUnits.PulseWidthMs);
        var rate = new FactorRange(r.Fixed16(TechniqueUnits.PulseRate), r.Fixed16(TechniqueUnits.PulseRate));
        byte kindBits = r.U8();
        var kinds = new HashSet<ExposureKind>();
        foreach (var kind in Enum.GetValues<ExposureKind>())
        {
            if ((kindBits & (1 << (int)kind)) != 0) kinds.Add(kind);
        }
        return new GeneratorCapabilities(kv, ma, width, cineWidth, rate, kinds, r.U16(), r.U32(), r.Fixed16(0.1));
    }
}

/// <summary>The technique and pulse rate the generator uses for one exposure kind (SetTechnique, GetTechnique's answer).</summary>
public readonly record struct TechniqueSetting(ExposureKind Kind, Technique Technique, double PulseRate)
{
    public void Write(ref PayloadWriter w)
    {
        w.U8((byte)Kind);
        w.Technique(Technique);
        w.Fixed16(PulseRate, TechniqueUnits.PulseRate);
    }

    public static TechniqueSetting Read(ref PayloadReader r) => new(ReadKind(ref r), r.Technique(), r.Fixed16(TechniqueUnits.PulseRate));

    public static ExposureKind ReadKind(ref PayloadReader r)
    {
        byte value = r.U8();
        return Enum.IsDefined((ExposureKind)value) ? (ExposureKind)value : throw new MalformedPayloadException($"unknown exposure kind {value}");
    }
}

/// <summary>Answer to GetStatus.</summary>
public readonly record struct GeneratorStatus(
    GeneratorState State,
    ExposureKind? Kind,
    FaultCode Fault,
    byte HeatPercent,
    bool InterlockClosed,
    uint PulsesDelivered)
{
    public void Write(ref PayloadWriter w)
    {
        w.U8((byte)State);
        w.U8((byte)(Kind ?? 0));
        w.U8((byte)Fault);
        w.U8(HeatPercent);
        w.U8(InterlockClosed ? (byte)1 : (byte)0);
        w.U32(PulsesDelivered);
    }

    public static GeneratorStatus Read(ref PayloadReader r)
    {
        var state = (GeneratorState)r.U8();
        byte kind = r.U8();
        return new GeneratorStatus(state, kind == 0 ? null : (ExposureKind)kind, (FaultCode)r.U8(), r.U8(), r.U8() != 0, r.U32());
    }
}

/// <summary>Payload of Nak: which command was refused, why, and a human-readable reason.</summary>
public readonly record struct Refusal(MessageType Command, RefusalReason Reason, string Text)
{
    public void Write(ref PayloadWriter w)
    {
        w.U8((byte)Command);
        w.U8((byte)Reason);
        w.Text(Text, 120);
    }

    public static Refusal Read(ref PayloadReader r) => new((MessageType)r.U8(), (RefusalReason)r.U8(), r.Text());

    public override string ToString() => $"{Command} refused: {Reason.Describe()} ({Text})";
}
