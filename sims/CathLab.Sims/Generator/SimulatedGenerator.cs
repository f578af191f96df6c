using System.Diagnostics;
using CathLab.Wire.Generator;

namespace CathLab.Sims.Generator;

/// <summary>Where the simulated generator sends its unsolicited events (the serial endpoint).</summary>
public interface IGeneratorEventSink
{
    void Publish(GeneratorEvent generatorEvent);
}

/// <summary>The X-ray generator's behaviour: states, technique, pulses at the set rate, heat, heartbeat watchdog and faults.
/// Commands come from the serial endpoint; pulses are timed on a thread of its own.</summary>
public sealed class SimulatedGenerator : IDisposable
{
    private readonly GeneratorSimOptions _options;
    private readonly ITubeOutput _tube;
    private readonly IGeneratorEventSink _events;
    private readonly List<IPulseObserver> _observers = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Lock _gate = new();
    private readonly Dictionary<ExposureKind, TechniqueSetting> _settings = [];
    private readonly TubeHeat _heat;
    private readonly Random _random;
    private readonly Thread _pulseThread;
    private readonly AutoResetEvent _wake = new(false);
    private volatile bool _disposed;

    private GeneratorState _state = GeneratorState.Idle;
    private ExposureKind? _exposingKind;
    private FaultCode _fault = FaultCode.None;
    private bool _interlockClosed = true;
    private long _lastHeartbeatMicros = long.MinValue / 2;
    private long _maxHeartbeatGapMicros;
    private long _readySinceMicros;
    private long _prepareDoneMicros;
    private long _nextPulseMicros;
    private long _lastHeatReportMicros;
    private uint _pulseId;
    private uint _pulsesThisExposure;

    public SimulatedGenerator(GeneratorSimOptions options, ITubeOutput tube, IGeneratorEventSink events)
    {
        _options = options;
        _tube = tube;
        _events = events;
        _heat = new TubeHeat(options.Capabilities.HeatCapacityUnits, options.CoolingTimeConstant);
        _random = new Random(options.Seed);
        foreach (var kind in options.Capabilities.Kinds)
        {
            _settings[kind] = DefaultSetting(kind);
        }
        _pulseThread = new Thread(RunPulses) { IsBackground = true, Name = "sim generator pulses", Priority = ThreadPriority.AboveNormal };
        _pulseThread.Start();
    }

    public GeneratorSimOptions Options => _options;

    public long NowMicros => _clock.Elapsed.Ticks / (TimeSpan.TicksPerMillisecond / 1000);

    /// <summary>Total pulses delivered since start.</summary>
    public uint PulsesDelivered
    {
        get { lock (_gate) return _pulseId; }
    }

    /// <summary>When the last valid heartbeat arrived, on <see cref="NowMicros"/>'s clock.</summary>
    public long LastHeartbeatMicros
    {
        get { lock (_gate) return _lastHeartbeatMicros; }
    }

    /// <summary>The longest time between two consecutive heartbeat frames (new or repeated) since the last
    /// <see cref="ResetHeartbeatGap"/>: how close the station came to the watchdog.</summary>
    public long MaxHeartbeatGapMicros
    {
        get { lock (_gate) return _maxHeartbeatGapMicros; }
    }

    /// <summary>Starts measuring <see cref="MaxHeartbeatGapMicros"/> afresh (from the last heartbeat).</summary>
    public void ResetHeartbeatGap()
    {
        lock (_gate) _maxHeartbeatGapMicros = 0;
    }

    public GeneratorState State
    {
        get { lock (_gate) return _state; }
    }

    public void AddObserver(IPulseObserver observer)
    {
        lock (_gate) _observers.Add(observer);
    }

    /// <summary>Executes one command. Writes the Ack's answer fields into <paramref name="answer"/> and returns null,
    /// or returns the refusal.</summary>
    public Refusal? Execute(MessageType command, ReadOnlySpan<byte> payload, ref PayloadWriter answer)
    {
        var reader = new PayloadReader(payload);
        try
        {
            lock (_gate)
            {
                Refusal? refusal = command switch
                {
                    MessageType.Identify => Identify(ref reader, ref answer),
                    MessageType.GetCapabilities => GetCapabilities(ref reader, ref answer),
                    MessageType.SetTechnique => SetTechnique(ref reader, ref answer),
                    MessageType.GetTechnique => GetTechnique(ref reader, ref answer),
                    MessageType.Prepare => Prepare(ref reader),
                    MessageType.ExposeOn => ExposeOn(ref reader),
                    MessageType.ExposeOff => ExposeOff(ref reader),
                    MessageType.Heartbeat => Heartbeat(ref reader),
                    MessageType.GetStatus => GetStatus(ref reader, ref answer),
                    MessageType.ResetFault => ResetFault(ref reader),
                    _ => new Refusal(command, RefusalReason.UnknownCommand, $"type 0x{(byte)command:X2} is not a command"),
                };
                return refusal;
            }
        }
        catch (MalformedPayloadException e)
        {
            return new Refusal(command, RefusalReason.Malformed, e.Message);
        }
    }

    /// <summary>Restarts the heartbeat window (a Heartbeat frame arrived, new or repeated).</summary>
    public void RefreshHeartbeat()
    {
        lock (_gate) HeartbeatArrived();
    }

    private void HeartbeatArrived()
    {
        long now = NowMicros;
        if (_lastHeartbeatMicros >= 0) _maxHeartbeatGapMicros = Math.Max(_maxHeartbeatGapMicros, now - _lastHeartbeatMicros);
        _lastHeartbeatMicros = now;
    }

    /// <summary>Raises a generator fault (arc, interlock open, over-temperature): emission stops before the next pulse.</summary>
    public void InjectFault(FaultCode fault)
    {
        if (fault == FaultCode.None) throw new ArgumentException("inject a real fault", nameof(fault));
        lock (_gate)
        {
            if (fault == FaultCode.InterlockOpen) _interlockClosed = false;
            if (fault == FaultCode.OverTemperature) _heat.Set(NowMicros, _heat.CapacityUnits);
            RaiseFault(fault, fault switch
            {
                FaultCode.Arc => "high-voltage arc detected",
                FaultCode.InterlockOpen => "door interlock open",
                FaultCode.OverTemperature => "tube housing over temperature",
                _ => "heartbeat lost",
            });
        }
        _wake.Set();
    }

    /// <summary>Closes the door interlock again (the fault itself stays until ResetFault).</summary>
    public void CloseInterlock()
    {
        lock (_gate) _interlockClosed = true;
    }

    /// <summary>Cools the tube at once, e.g. after an injected over-temperature in a test.</summary>
    public void CoolDown()
    {
        lock (_gate) _heat.Set(NowMicros, 0);
    }

    private Refusal? Identify(ref PayloadReader r, ref PayloadWriter answer)
    {
        r.End();
        new GeneratorIdentity(GeneratorIdentity.CurrentProtocolVersion, _options.Model, _options.Firmware).Write(ref answer);
        return null;
    }

    private Refusal? GetCapabilities(ref PayloadReader r, ref PayloadWriter answer)
    {
        r.End();
        _options.Capabilities.Write(ref answer);
        return null;
    }

    private Refusal? SetTechnique(ref PayloadReader r, ref PayloadWriter answer)
    {
        byte kindByte = r.U8();
        var technique = r.Technique();
        double pulseRate = r.Fixed16(TechniqueUnits.PulseRate);
        r.End();
        if (SupportedKind(kindByte) is not { } kind) return KindNotSupported(MessageType.SetTechnique, kindByte);
        var setting = new TechniqueSetting(kind, technique, pulseRate);
        string? violation = _options.Capabilities.Violation(setting);
        if (violation is not null) return new Refusal(MessageType.SetTechnique, RefusalReason.OutOfRange, violation);
        _settings[setting.Kind] = setting;
        setting.Write(ref answer);
        return null;
    }

    private Refusal? GetTechnique(ref PayloadReader r, ref PayloadWriter answer)
    {
        byte kindByte = r.U8();
        r.End();
        if (SupportedKind(kindByte) is not { } kind) return KindNotSupported(MessageType.GetTechnique, kindByte);
        _settings[kind].Write(ref answer);
        return null;
    }

    private Refusal? Prepare(ref PayloadReader r)
    {
        byte kindByte = r.U8();
        r.End();
        if (SupportedKind(kindByte) is null) return KindNotSupported(MessageType.Prepare, kindByte);
        if (_fault != FaultCode.None) return new Refusal(MessageType.Prepare, RefusalReason.FaultActive, $"fault {_fault} active");
        if (!_interlockClosed) return new Refusal(MessageType.Prepare, RefusalReason.InterlockOpen, "door interlock open");
        switch (_state)
        {
            case GeneratorState.Idle:
                _prepareDoneMicros = NowMicros + (long)(_options.PrepareTime.TotalMilliseconds * 1000);
                SetState(GeneratorState.Preparing);
                _wake.Set();
                return null;
            case GeneratorState.Preparing:
            case GeneratorState.Ready:
                return null;
            default:
                return new Refusal(MessageType.Prepare, RefusalReason.WrongState, $"state {_state}");
        }
    }

    private Refusal? ExposeOn(ref PayloadReader r)
    {
        byte kindByte = r.U8();
        r.End();
        long now = NowMicros;
        if (SupportedKind(kindByte) is not { } kind) return KindNotSupported(MessageType.ExposeOn, kindByte);
        var setting = _settings[kind];
        if (_fault != FaultCode.None) return new Refusal(MessageType.ExposeOn, RefusalReason.FaultActive, $"fault {_fault} active");
        if (!_interlockClosed) return new Refusal(MessageType.ExposeOn, RefusalReason.InterlockOpen, "door interlock open");
        if (_state == GeneratorState.Exposing) return new Refusal(MessageType.ExposeOn, RefusalReason.WrongState, $"already exposing {_exposingKind}");
        if (_state != GeneratorState.Ready) return new Refusal(MessageType.ExposeOn, RefusalReason.NotPrepared, $"state {_state}");
        if (!HeartbeatFresh(now)) return new Refusal(MessageType.ExposeOn, RefusalReason.NoHeartbeat, $"no heartbeat for {(now - _lastHeartbeatMicros) / 1000} ms");
        if (WouldOverheat(now, setting.Technique)) return new Refusal(MessageType.ExposeOn, RefusalReason.TubeHot, $"tube heat {_heat.Fraction(now):P0}: one more pulse would pass the limit");
        _exposingKind = kind;
        _pulsesThisExposure = 0;
        _nextPulseMicros = now;
        SetState(GeneratorState.Exposing);
        _events.Publish(new ExposureStartedEvent(setting));
        _wake.Set();
        return null;
    }

    private Refusal? ExposeOff(ref PayloadReader r)
    {
        r.End();
        if (_state == GeneratorState.Exposing)
        {
            EndExposure(ExposureEndReason.Released, GeneratorState.Ready);
        }
        return null;
    }

    private Refusal? Heartbeat(ref PayloadReader r)
    {
        r.End();
        HeartbeatArrived();
        return null;
    }

    private Refusal? GetStatus(ref PayloadReader r, ref PayloadWriter answer)
    {
        r.End();
        long now = NowMicros;
        new GeneratorStatus(_state, _exposingKind, _fault, HeatPercent(now), _interlockClosed, _pulseId).Write(ref answer);
        return null;
    }

    private Refusal? ResetFault(ref PayloadReader r)
    {
        r.End();
        if (_fault == FaultCode.None) return null;
        if (!_interlockClosed) return new Refusal(MessageType.ResetFault, RefusalReason.InterlockOpen, "close the door interlock first");
        if (_heat.Fraction(NowMicros) >= _options.HeatLimitFraction) return new Refusal(MessageType.ResetFault, RefusalReason.TubeHot, "tube still too hot");
        // A lost heartbeat is cleared, like an open interlock, only when its cause is gone: the station is heard again.
        if (_fault == FaultCode.HeartbeatLost && !HeartbeatFresh(NowMicros)) return new Refusal(MessageType.ResetFault, RefusalReason.NoHeartbeat, "no heartbeat inside the window yet");
        _fault = FaultCode.None;
        SetState(GeneratorState.Idle);
        return null;
    }

    /// <summary>The kind a command's kind byte names, or null when this generator has no such kind: a value that names
    /// no kind at all is refused like a kind it lacks (0x17), not as a malformed payload.</summary>
    private ExposureKind? SupportedKind(byte value) =>
        _options.Capabilities.Kinds.Contains((ExposureKind)value) ? (ExposureKind)value : null;

    private static Refusal KindNotSupported(MessageType command, byte value) =>
        new(command, RefusalReason.KindNotSupported, Enum.IsDefined((ExposureKind)value) ? $"{(ExposureKind)value} not supported" : $"no exposure kind {value}");

    private bool WouldOverheat(long now, in Technique technique) =>
        _heat.Fraction(now) + TubeHeat.PulseUnits(technique.Kv, technique.Ma, technique.PulseWidthMs) / _heat.CapacityUnits >= _options.HeatLimitFraction;

    private bool HeartbeatFresh(long now) => now - _lastHeartbeatMicros <= _options.Capabilities.HeartbeatWindowMs * 1000L;

    private byte HeatPercent(long now) => (byte)Math.Clamp(Math.Round(_heat.Fraction(now) * 100), 0, 100);

    private void SetState(GeneratorState state)
    {
        if (_state == state) return;
        _state = state;
        if (state == GeneratorState.Ready) _readySinceMicros = NowMicros;
        if (state != GeneratorState.Exposing) _exposingKind = null;
        _events.Publish(new StateChangedEvent(state));
    }

    private void RaiseFault(FaultCode fault, string text)
    {
        if (_state == GeneratorState.Exposing)
        {
            var reason = fault switch
            {
                FaultCode.HeartbeatLost => ExposureEndReason.HeartbeatLost,
                FaultCode.InterlockOpen => ExposureEndReason.InterlockOpen,
                FaultCode.OverTemperature => ExposureEndReason.TubeHot,
                _ => ExposureEndReason.Fault,
            };
            EndExposure(reason, GeneratorState.Fault);
        }
        _fault = fault;
        SetState(GeneratorState.Fault);
        _events.Publish(new FaultEvent(fault, text));
    }

    private void EndExposure(ExposureEndReason reason, GeneratorState next)
    {
        _events.Publish(new ExposureEndedEvent(reason, _pulsesThisExposure));
        SetState(next);
        PublishHeat(NowMicros);
    }

    private void PublishHeat(long now)
    {
        _lastHeatReportMicros = now;
        _events.Publish(new HeatEvent(HeatPercent(now), (uint)_heat.Units(now)));
    }

    private void RunPulses()
    {
        while (!_disposed)
        {
            int waitMs = 20;
            DeliveredPulse? pulse = null;
            IPulseObserver[] observers = [];
            lock (_gate)
            {
                long now = NowMicros;
                if (now - _lastHeatReportMicros >= 1_000_000) PublishHeat(now);
                switch (_state)
                {
                    case GeneratorState.Preparing when now >= _prepareDoneMicros:
                        SetState(GeneratorState.Ready);
                        break;
                    case GeneratorState.Preparing:
                        waitMs = (int)Math.Max(1, (_prepareDoneMicros - now) / 1000);
                        break;
                    case GeneratorState.Ready when now - _readySinceMicros > _options.ReadyHoldTime.TotalMilliseconds * 1000:
                        SetState(GeneratorState.Idle);
                        break;
                    case GeneratorState.Exposing:
                        if (!HeartbeatFresh(now))
                        {
                            RaiseFault(FaultCode.HeartbeatLost, $"no heartbeat for {(now - _lastHeartbeatMicros) / 1000} ms");
                            break;
                        }
                        if (now >= _nextPulseMicros)
                        {
                            pulse = DeliverPulse(now);
                            observers = [.. _observers];
                        }
                        long untilPulse = _nextPulseMicros - NowMicros;
                        long untilWatchdog = _lastHeartbeatMicros + _options.Capabilities.HeartbeatWindowMs * 1000L - NowMicros + 1000;
                        waitMs = (int)Math.Clamp(Math.Min(untilPulse, untilWatchdog) / 1000, 0, 20);
                        break;
                }
            }
            if (pulse is { } delivered)
            {
                foreach (var observer in observers) observer.OnPulse(delivered);
            }
            if (waitMs > 0) _wake.WaitOne(waitMs);
        }
    }

    private DeliveredPulse? DeliverPulse(long now)
    {
        var kind = _exposingKind!.Value;
        var setting = _settings[kind];
        var set = setting.Technique;
        if (WouldOverheat(now, set))
        {
            EndExposure(ExposureEndReason.TubeHot, GeneratorState.Ready);
            return null;
        }
        var actual = new Technique(Measure(set.Kv), Measure(set.Ma), set.PulseWidthMs);
        _heat.Add(now, TubeHeat.PulseUnits(actual.Kv, actual.Ma, actual.PulseWidthMs));
        double kerma = _tube.AirKermaMicroGray(actual);
        _pulseId++;
        _pulsesThisExposure++;
        long interval = (long)(1_000_000 / setting.PulseRate);
        // Keep the pulse train on its grid; after a long stall start a new grid rather than bursting to catch up.
        _nextPulseMicros = now - _nextPulseMicros > interval ? now + interval : _nextPulseMicros + interval;
        var pulse = new DeliveredPulse(_pulseId, now, actual, kind, kerma);
        _events.Publish(new PulseEvent(_pulseId, (ulong)now, kind, actual, (uint)Math.Clamp(Math.Round(kerma * 1000), 0, uint.MaxValue)));
        return pulse;
    }

    private double Measure(double value) => value * (1 + _options.MeasurementSpread * (2 * _random.NextDouble() - 1));

    private static TechniqueSetting DefaultSetting(ExposureKind kind) => kind switch
    {
        ExposureKind.Cine => new TechniqueSetting(kind, new Technique(80, 400, 6), 15),
        ExposureKind.HighLevelFluoro => new TechniqueSetting(kind, new Technique(80, 80, 6), 15),
        _ => new TechniqueSetting(kind, new Technique(75, 40, 6), 15),
    };

    public void Dispose()
    {
        _disposed = true;
        _wake.Set();
        // The wait handle is left to the finalizer if the pulse thread is slow to notice: it may still be waiting on it.
        if (_pulseThread.Join(TimeSpan.FromSeconds(10))) _wake.Dispose();
    }
}
