using CathLab.FirmwareBridge.Link;
using CathLab.Wire.Generator;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CathLab.FirmwareBridge.Exposure;

/// <summary>Drives the generator from pedal and console inputs through <see cref="ExposureStateMachine"/>, and feeds
/// generator events and link failures back into it. Every transition is logged and published.
/// The safety path: a release sends ExposeOff ahead of every other command; a lost link stops heartbeats at once;
/// a pulse after the generator said the exposure ended is answered with ExposeOff and a fault.</summary>
public sealed class ExposureController : IDisposable
{
    private readonly IGeneratorLink _link;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ExposureStateMachine _machine;
    private readonly Lock _gate = new();
    private bool _generatorExposing;
    private bool _linkWasLost;
    /// <summary>The last link loss found the controller idle (no exposure commanded or reported, none pending) and
    /// nothing has faulted since: when the link is back and the generator is Idle without a fault, Fault clears by itself.</summary>
    private bool _lostWhileIdle;

    public ExposureController(IGeneratorLink link, ILogger<ExposureController>? logger = null, TimeProvider? time = null)
    {
        _link = link;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _time = time ?? TimeProvider.System;
        _machine = new ExposureStateMachine(_time);
        _link.EventReceived += OnGeneratorEvent;
        _link.StateChanged += OnLinkStateChanged;
    }

    public ExposureState State
    {
        get { lock (_gate) return _machine.State; }
    }

    public ExposureKind? Kind
    {
        get { lock (_gate) return _machine.Kind; }
    }

    /// <summary>True between the generator's ExposureStarted and ExposureEnded events.</summary>
    public bool GeneratorExposing
    {
        get { lock (_gate) return _generatorExposing; }
    }

    /// <summary>Pulses the generator reported while no exposure was running (should stay 0).</summary>
    public int UnexpectedPulses { get; private set; }

    /// <summary>Every transition and every refused input, in order.</summary>
    public event Action<ExposureTransition>? Transitioned;

    public event Action<BridgeAlert>? Alert;

    /// <summary>The last error a command returned (the generator's refusal with its reason, or a link failure).</summary>
    public Exception? LastError { get; private set; }

    public ExposureTransition PedalPressed(ExposureKind kind) => Fire(new(ExposureTrigger.Expose, InputSource.Pedal, kind));

    public ExposureTransition PedalReleased() => Fire(new(ExposureTrigger.Release, InputSource.Pedal));

    public ExposureTransition ConsolePrepare(ExposureKind kind) => Fire(new(ExposureTrigger.Prepare, InputSource.Console, kind));

    public ExposureTransition ConsoleExpose(ExposureKind kind) => Fire(new(ExposureTrigger.Expose, InputSource.Console, kind));

    public ExposureTransition ConsoleStop() => Fire(new(ExposureTrigger.Release, InputSource.Console));

    /// <summary>Resets the generator's fault and, when that succeeds, leaves the Fault state (heartbeats resume first,
    /// since the generator refuses exposure without them).</summary>
    public async Task<ExposureTransition> ResetFaultAsync(CancellationToken cancellationToken = default)
    {
        if (_link.State != LinkState.Connected)
        {
            throw new GeneratorLinkDownException($"cannot reset: generator link is {_link.State}");
        }
        _link.ResumeHeartbeat();
        var status = await _link.GetStatusAsync(cancellationToken).ConfigureAwait(false);
        if (status.State == GeneratorState.Exposing)
        {
            await _link.ExposeOffAsync(cancellationToken).ConfigureAwait(false);
        }
        await _link.ResetFaultAsync(cancellationToken).ConfigureAwait(false);
        lock (_gate) _generatorExposing = false;
        return Fire(new(ExposureTrigger.FaultReset, InputSource.Console));
    }

    private ExposureTransition Fire(ExposureInput input)
    {
        ExposureTransition transition;
        lock (_gate)
        {
            transition = _machine.Fire(input);
        }
        if (transition.Accepted)
        {
            _logger.LogInformation("Exposure {From} -> {To} on {Input}", transition.From, transition.To, transition.Input);
        }
        else
        {
            _logger.LogInformation("Exposure input {Input} refused in {State}: {Why}", transition.Input, transition.From, transition.Why);
        }
        Transitioned?.Invoke(transition);
        foreach (var action in transition.Actions)
        {
            Run(action, transition.Kind);
        }
        return transition;
    }

    private void Run(ExposureAction action, ExposureKind? kind)
    {
        switch (action)
        {
            case ExposureAction.SendExposeOff:
                Watch(_link.ExposeOffAsync(), MessageType.ExposeOff);
                break;
            case ExposureAction.SendPrepare when kind is { } k:
                Watch(PrepareAndConfirmAsync(k), MessageType.Prepare);
                break;
            case ExposureAction.SendExposeOn when kind is { } k:
                Watch(_link.ExposeOnAsync(k), MessageType.ExposeOn);
                break;
            case ExposureAction.StopHeartbeat:
                _link.StopHeartbeat("exposure state unknown: link lost");
                break;
            case ExposureAction.ResumeHeartbeat:
                _link.ResumeHeartbeat();
                break;
            case ExposureAction.StartHighLevelAlert:
                Raise(BridgeAlertKind.HighLevelFluoroActive, "high-level fluoroscopy: continuous alert while the pedal is held");
                break;
            case ExposureAction.StopHighLevelAlert:
                Raise(BridgeAlertKind.HighLevelFluoroEnded, "high-level fluoroscopy ended");
                break;
        }
    }

    /// <summary>A generator that is already prepared (Ready after the previous exposure) acknowledges Prepare without a
    /// state change, so no Ready event follows: after the acknowledgement the station asks where the generator stands.</summary>
    private async Task PrepareAndConfirmAsync(ExposureKind kind)
    {
        await _link.PrepareAsync(kind).ConfigureAwait(false);
        var status = await _link.GetStatusAsync().ConfigureAwait(false);
        if (status.State == GeneratorState.Ready && State == ExposureState.Preparing)
        {
            Fire(new(ExposureTrigger.GeneratorReady, InputSource.Generator, Detail: "already prepared"));
        }
    }

    private void Watch(Task command, MessageType type)
    {
        command.ContinueWith(t =>
        {
            var error = t.Exception!.InnerException!;
            LastError = error;
            switch (error)
            {
                case CommandPreemptedException:
                    _logger.LogInformation("{Command} pre-empted by ExposeOff", type);
                    break;
                case GeneratorRefusedException refused:
                    Raise(BridgeAlertKind.CommandRefused, refused.Message);
                    Fire(new(ExposureTrigger.CommandRefused, InputSource.Generator, Detail: refused.Message));
                    break;
                default:
                    Raise(BridgeAlertKind.LinkLost, $"{type}: {error.Message}");
                    Fire(new(ExposureTrigger.LinkLost, InputSource.Link, Detail: error.Message));
                    break;
            }
        }, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private void OnGeneratorEvent(GeneratorEvent e)
    {
        switch (e)
        {
            case StateChangedEvent { State: GeneratorState.Ready }:
                if (State == ExposureState.Preparing) Fire(new(ExposureTrigger.GeneratorReady, InputSource.Generator));
                break;
            case StateChangedEvent { State: GeneratorState.Idle }:
                if (State is ExposureState.Ready or ExposureState.Preparing) Fire(new(ExposureTrigger.GeneratorIdle, InputSource.Generator));
                break;
            case ExposureStartedEvent:
                lock (_gate) _generatorExposing = true;
                break;
            case ExposureEndedEvent ended:
                lock (_gate) _generatorExposing = false;
                if (State.IsExposing())
                {
                    Fire(new(ExposureTrigger.GeneratorExposureEnded, InputSource.Generator, Detail: $"{ended.Reason} after {ended.Pulses} pulses"));
                }
                break;
            case FaultEvent fault:
                Raise(BridgeAlertKind.GeneratorFault, $"{fault.Code}: {fault.Text}");
                Fire(new(ExposureTrigger.GeneratorFault, InputSource.Generator, Detail: $"{fault.Code}: {fault.Text}"));
                break;
            case PulseEvent pulse:
                OnPulse(pulse);
                break;
        }
    }

    private void OnPulse(PulseEvent pulse)
    {
        bool exposing;
        ExposureState state;
        lock (_gate)
        {
            exposing = _generatorExposing;
            state = _machine.State;
        }
        if (!exposing)
        {
            UnexpectedPulses++;
            Raise(BridgeAlertKind.UnexpectedEmission, $"pulse {pulse.PulseId} reported after the exposure ended");
            Fire(new(ExposureTrigger.WatchdogTripped, InputSource.Watchdog, Detail: $"pulse {pulse.PulseId} outside an exposure"));
            return;
        }
        if (state == ExposureState.HighLevelFluoro)
        {
            Raise(BridgeAlertKind.HighLevelFluoroActive, $"high-level fluoroscopy pulse {pulse.PulseId}");
        }
    }

    private void OnLinkStateChanged(LinkState state, string why)
    {
        if (state is LinkState.Down)
        {
            // Emission state is known even without the line: heartbeats stop now, so the generator stops itself
            // within its heartbeat window.
            Raise(BridgeAlertKind.LinkLost, why);
            lock (_gate)
            {
                bool idle = !_generatorExposing && !_linkWasLost && _machine.State switch
                {
                    ExposureState.Idle or ExposureState.Ready => true,
                    ExposureState.Preparing => _machine.PendingExpose is null,
                    _ => false,
                };
                _lostWhileIdle = idle;
                _generatorExposing = false;
                _linkWasLost = true;
            }
            Fire(new(ExposureTrigger.LinkLost, InputSource.Link, Detail: why));
        }
        else if (state is LinkState.Connected)
        {
            bool restored, idle;
            lock (_gate)
            {
                restored = _linkWasLost;
                idle = _lostWhileIdle;
                _linkWasLost = false;
                _lostWhileIdle = false;
            }
            if (restored && !idle) Raise(BridgeAlertKind.LinkRestored, $"{why}; the link was lost during an exposure: reset the fault to expose again");
            _ = ReadStatusAfterConnectAsync(restored && idle, why);
        }
    }

    /// <summary>A generator keeps a fault latched across a station restart or a reconnect (a heartbeat lost while the
    /// station was away): on every connect the station asks, so that its own state says Fault before anyone presses a pedal.
    /// After a loss while idle (<paramref name="lostWhileIdle"/>), a generator that reports Idle with no fault clears the
    /// loss's Fault by itself: a false loss on a loaded machine then does not stop the exam. Anything else keeps Fault.</summary>
    private async Task ReadStatusAfterConnectAsync(bool lostWhileIdle, string why)
    {
        GeneratorStatus status;
        try
        {
            status = await _link.GetStatusAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is GeneratorLinkDownException or GeneratorRefusedException or CommandPreemptedException or ObjectDisposedException or GeneratorProtocolException)
        {
            _logger.LogInformation("generator status after connecting not read: {Error}", e.Message);
            if (lostWhileIdle) Raise(BridgeAlertKind.LinkRestored, $"{why}; generator status unknown: reset the fault to expose again");
            return;
        }
        if (status.State == GeneratorState.Fault && State != ExposureState.Fault)
        {
            Raise(BridgeAlertKind.GeneratorFault, $"{status.Fault} latched in the generator; reset the fault to expose again");
            Fire(new(ExposureTrigger.GeneratorFault, InputSource.Generator, Detail: $"{status.Fault} latched in the generator"));
            return;
        }
        if (!lostWhileIdle) return;
        bool stillIdleLoss;
        lock (_gate) stillIdleLoss = !_linkWasLost;
        if (stillIdleLoss && status.State == GeneratorState.Idle && status.Fault == FaultCode.None)
        {
            var cleared = Fire(new(ExposureTrigger.LinkRestoredIdle, InputSource.Link, Detail: "link lost while idle; generator idle without a fault"));
            if (cleared.Accepted)
            {
                _logger.LogWarning("Generator link restored after a loss while idle; the generator is idle without a fault, so the exposure controller is back to Idle by itself");
                Raise(BridgeAlertKind.LinkRestored, $"{why}; lost while idle and the generator is idle: ready again without a fault reset");
                return;
            }
        }
        Raise(BridgeAlertKind.LinkRestored, $"{why}; generator {status.State} (fault {status.Fault}): reset the fault to expose again");
    }

    private void Raise(BridgeAlertKind kind, string text)
    {
        if (kind is not (BridgeAlertKind.HighLevelFluoroActive)) _logger.LogWarning("Alert {Kind}: {Text}", kind, text);
        Alert?.Invoke(new BridgeAlert(kind, _time.GetUtcNow(), text));
    }

    public void Dispose()
    {
        _link.EventReceived -= OnGeneratorEvent;
        _link.StateChanged -= OnLinkStateChanged;
    }
}
