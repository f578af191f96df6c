using System.Collections.Concurrent;
using CathLab.FirmwareBridge.Link;
using CathLab.Wire.Generator;

namespace CathLab.FirmwareBridge.Tests.Support;

/// <summary>A generator behind an <see cref="IGeneratorLink"/> without a serial line: it keeps the generator's own
/// state (idle, ready, exposing, fault), applies each command as it is sent, and delivers its events in order on a
/// reader thread of its own, as the real link does. Pulses are emitted when the test asks, and only while exposing.</summary>
public sealed class FakeGeneratorLink : IGeneratorLink
{
    private readonly Lock _gate = new();
    private readonly BlockingCollection<Action> _reader = new();
    private readonly Thread _readerThread;
    private int _pendingDeliveries;
    private uint _pulseId;

    public FakeGeneratorLink()
    {
        _readerThread = new Thread(() => { foreach (var deliver in _reader.GetConsumingEnumerable()) { deliver(); Interlocked.Decrement(ref _pendingDeliveries); } })
        {
            IsBackground = true,
            Name = "fake link reader",
        };
        _readerThread.Start();
    }

    public LinkState State { get; private set; } = LinkState.Connected;
    public GeneratorIdentity? Identity => new(1, "fake", "1");
    public GeneratorCapabilities? Capabilities { get; set; }
    public bool HeartbeatRunning { get; private set; } = true;
    public event Action<GeneratorEvent>? EventReceived;
    public event Action<LinkState, string>? StateChanged;
    public event Action? EventsLost { add { } remove { } }

    public GeneratorState Generator { get; private set; } = GeneratorState.Idle;
    public ExposureKind? PreparedKind { get; private set; }
    public FaultCode Fault { get; private set; }
    public int Pulses { get; private set; }
    public int ExposeOnsRefused { get; private set; }
    public bool Emitting => Generator == GeneratorState.Exposing;

    /// <summary>While set, events are made and thrown away, as a generator whose event backlog overflows loses them.</summary>
    public bool LosingEvents { get; set; }

    public int StatusReads { get; private set; }

    public Task ConnectAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task<TechniqueSetting> SetTechniqueAsync(TechniqueSetting setting, CancellationToken cancellationToken = default) => Task.FromResult(setting);

    public Task<TechniqueSetting> GetTechniqueAsync(ExposureKind kind, CancellationToken cancellationToken = default) =>
        Task.FromResult(new TechniqueSetting(kind, new Technique(70, 10, 5), 15));

    public Task PrepareAsync(ExposureKind kind, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (Down() is { } down) return down;
            if (Generator is GeneratorState.Fault or GeneratorState.Exposing) return Refuse(MessageType.Prepare, RefusalReason.WrongState);
            PreparedKind = kind;
            if (Generator != GeneratorState.Ready)
            {
                Generator = GeneratorState.Ready;
                Raise(new StateChangedEvent(GeneratorState.Ready));
            }
            return Task.CompletedTask;
        }
    }

    public Task ExposeOnAsync(ExposureKind kind, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (Down() is { } down) return down;
            if (Generator != GeneratorState.Ready || PreparedKind != kind)
            {
                ExposeOnsRefused++;
                return Refuse(MessageType.ExposeOn, Generator == GeneratorState.Fault ? RefusalReason.FaultActive : RefusalReason.NotPrepared);
            }
            Generator = GeneratorState.Exposing;
            Raise(new ExposureStartedEvent(new TechniqueSetting(kind, new Technique(70, 10, 5), 15)));
            return Task.CompletedTask;
        }
    }

    public Task ExposeOffAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (Down() is { } down) return down;
            if (Generator == GeneratorState.Exposing)
            {
                Generator = GeneratorState.Ready;
                Raise(new ExposureEndedEvent(ExposureEndReason.Released, (uint)Pulses));
            }
            return Task.CompletedTask;
        }
    }

    public Task<GeneratorStatus> GetStatusAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (State != LinkState.Connected) return Task.FromException<GeneratorStatus>(new GeneratorLinkDownException("fake link down"));
            StatusReads++;
            return Task.FromResult(new GeneratorStatus(Generator, PreparedKind, Fault, 0, true, (uint)Pulses));
        }
    }

    public Task ResetFaultAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (Down() is { } down) return down;
            if (Generator == GeneratorState.Fault)
            {
                Generator = GeneratorState.Idle;
                Fault = FaultCode.None;
                PreparedKind = null;
                Raise(new StateChangedEvent(GeneratorState.Idle));
            }
            return Task.CompletedTask;
        }
    }

    public void StopHeartbeat(string reason)
    {
        lock (_gate)
        {
            HeartbeatRunning = false;
            // The generator's own watchdog: no heartbeat, no emission.
            if (Generator == GeneratorState.Exposing) FaultLocked(FaultCode.HeartbeatLost);
        }
    }

    public void ResumeHeartbeat()
    {
        lock (_gate) HeartbeatRunning = true;
    }

    /// <summary>One pulse, delivered only while exposing (as a tube would), reporting <paramref name="airKermaNanoGray"/>.</summary>
    public void Pulse(uint airKermaNanoGray = 100)
    {
        lock (_gate)
        {
            if (Generator != GeneratorState.Exposing) return;
            Pulses++;
            Raise(new PulseEvent(++_pulseId, 0, PreparedKind ?? ExposureKind.Fluoro, new Technique(70, 10, 5), airKermaNanoGray));
        }
    }

    /// <summary>The generator announces that <paramref name="count"/> events were lost (sent even while losing events).</summary>
    public void AnnounceLostEvents(uint count)
    {
        lock (_gate)
        {
            Interlocked.Increment(ref _pendingDeliveries);
            _reader.Add(() => EventReceived?.Invoke(new EventsLostEvent(count)));
        }
    }

    /// <summary>The generator starts emitting without being asked (a stuck contactor, a firmware fault).</summary>
    public void EmitUnbidden(ExposureKind kind)
    {
        lock (_gate)
        {
            PreparedKind = kind;
            Generator = GeneratorState.Exposing;
            Raise(new ExposureStartedEvent(new TechniqueSetting(kind, new Technique(70, 10, 5), 15)));
        }
    }

    public void InjectFault(FaultCode code)
    {
        lock (_gate) FaultLocked(code);
    }

    /// <summary>The link goes down (emission is stopped by the missing heartbeats) and, when <paramref name="back"/>, comes back.</summary>
    public void Drop(bool back)
    {
        lock (_gate)
        {
            State = LinkState.Down;
            RaiseState(LinkState.Down, "fake link lost");
            if (Generator == GeneratorState.Exposing) FaultLocked(FaultCode.HeartbeatLost, deliver: false);
            if (!back) return;
            State = LinkState.Connected;
            RaiseState(LinkState.Connected, "fake link back");
        }
    }

    /// <summary>Waits until every event raised so far has been handed to the listeners.</summary>
    public void Drain()
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (Volatile.Read(ref _pendingDeliveries) > 0)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("fake link events not delivered");
            Thread.Sleep(1);
        }
    }

    private void FaultLocked(FaultCode code, bool deliver = true)
    {
        bool wasExposing = Generator == GeneratorState.Exposing;
        Generator = GeneratorState.Fault;
        Fault = code;
        PreparedKind = null;
        if (!deliver) return;
        if (wasExposing) Raise(new ExposureEndedEvent(ExposureEndReason.Fault, (uint)Pulses));
        Raise(new FaultEvent(code, code.ToString()));
    }

    private Task? Down() => State == LinkState.Connected ? null : Task.FromException(new GeneratorLinkDownException("fake link down"));

    private static Task Refuse(MessageType command, RefusalReason reason) =>
        Task.FromException(new GeneratorRefusedException(new Refusal(command, reason, reason.ToString())));

    private void Raise(GeneratorEvent e)
    {
        if (LosingEvents) return;
        Interlocked.Increment(ref _pendingDeliveries);
        _reader.Add(() => EventReceived?.Invoke(e));
    }

    private void RaiseState(LinkState state, string why)
    {
        Interlocked.Increment(ref _pendingDeliveries);
        _reader.Add(() => StateChanged?.Invoke(state, why));
    }

    public ValueTask DisposeAsync()
    {
        _reader.CompleteAdding();
        _readerThread.Join(TimeSpan.FromSeconds(2));
        return ValueTask.CompletedTask;
    }
}
