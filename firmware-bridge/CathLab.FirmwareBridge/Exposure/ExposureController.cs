using System.Collections.Concurrent;
using CathLab.FirmwareBridge.Link;
using CathLab.Wire.Generator;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CathLab.FirmwareBridge.Exposure;

/// <summary>Exposure control as one serialised machine. Every input (held switches, the console, generator events,
/// command outcomes, link changes, the maximum-hold timer, shutdown) goes into one queue that one thread consumes; each
/// transition of <see cref="ExposureStateMachine"/> and its actions run to completion, in order, before the next
/// input. Actions only enqueue on the link (ExposeOff ahead of everything, cancelling a queued ExposeOn); their outcomes
/// come back as inputs. Transitions and alerts are published from a second thread, so a slow listener never delays the
/// safety path.</summary>
public sealed class ExposureController : IDisposable
{
    private readonly IGeneratorLink _link;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ExposureControlOptions _options;
    private readonly ExposureStateMachine _machine;
    private readonly BlockingCollection<Submission> _inputs = new(new ConcurrentQueue<Submission>());
    private readonly BlockingCollection<Action> _notices = new(new ConcurrentQueue<Action>());
    private readonly Thread _thread;
    private readonly Thread _notifier;
    private volatile ExposureSnapshot _snapshot;
    private TaskCompletionSource<ExposureTransition>? _resetCompletion;
    private ITimer? _holdTimer;
    private long _exposureNumber;
    private int _unexpectedPulses;
    private int _backlog;

    public ExposureController(IGeneratorLink link, ILogger<ExposureController>? logger = null, TimeProvider? time = null, ExposureControlOptions? options = null)
    {
        _link = link;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _time = time ?? TimeProvider.System;
        _options = options ?? new ExposureControlOptions();
        _machine = new ExposureStateMachine(_time, link.State == LinkState.Connected);
        _snapshot = new ExposureSnapshot(_machine.State, null, false, _machine.LinkIsUp);
        _thread = new Thread(Consume) { IsBackground = true, Name = "exposure-control", Priority = ThreadPriority.AboveNormal };
        _notifier = new Thread(Notify) { IsBackground = true, Name = "exposure-notices" };
        _thread.Start();
        _notifier.Start();
        _link.EventReceived += OnGeneratorEvent;
        _link.StateChanged += OnLinkStateChanged;
    }

    public ExposureState State => _snapshot.State;

    public ExposureKind? Kind => _snapshot.Kind;

    /// <summary>True between the generator's ExposureStarted and ExposureEnded events, as the machine saw them.</summary>
    public bool GeneratorExposing => _snapshot.Emitting;

    /// <summary>The machine's state, kind, emission and link in one consistent read.</summary>
    public ExposureSnapshot Snapshot => _snapshot;

    /// <summary>Inputs queued and not yet processed (diagnostics, and tests waiting for the machine to settle).</summary>
    public int Backlog => Volatile.Read(ref _backlog);

    /// <summary>Pulses the generator reported while no exposure was running (should stay 0).</summary>
    public int UnexpectedPulses => Volatile.Read(ref _unexpectedPulses);

    /// <summary>Every transition and every refused input, in order (raised on the notice thread).</summary>
    public event Action<ExposureTransition>? Transitioned;

    /// <summary>Raised on the notice thread.</summary>
    public event Action<BridgeAlert>? Alert;

    /// <summary>The last error a command returned (the generator's refusal with its reason, or a link failure).</summary>
    public Exception? LastError { get; private set; }

    /// <summary>A held switch pressed (hardware pedal, or a held pedal stream from the console or a browser).</summary>
    public ExposureTransition PedalPressed(ExposureKind kind, InputSource source = InputSource.HardwarePedal) =>
        Submit(new(ExposureTrigger.Expose, source, kind, Held: true));

    /// <summary>The held switch released; <paramref name="why"/> says how (released, stream ended, lease expired).</summary>
    public ExposureTransition PedalReleased(InputSource source = InputSource.HardwarePedal, string? why = null) =>
        Submit(new(ExposureTrigger.Release, source, Detail: why, Held: true));

    public ExposureTransition ConsolePrepare(ExposureKind kind, InputSource source = InputSource.Console) =>
        Submit(new(ExposureTrigger.Prepare, source, kind));

    /// <summary>An exposure request that no held switch carries: always refused (the table's dead-man rule).</summary>
    public ExposureTransition ConsoleExpose(ExposureKind kind, InputSource source = InputSource.Console) =>
        Submit(new(ExposureTrigger.Expose, source, kind));

    /// <summary>Stops emission now, whatever the state: ExposeOff goes out ahead of everything.</summary>
    public ExposureTransition EmergencyStop(InputSource source, string reason) =>
        Submit(new(ExposureTrigger.EmergencyStop, source, Detail: reason));

    /// <summary>Resets the generator's fault (heartbeats resumed, status read, ExposeOff if still exposing, ResetFault)
    /// and leaves Fault when that succeeds. Throws <see cref="GeneratorLinkDownException"/> when the link is down,
    /// <see cref="InvalidOperationException"/> when there is no fault, and the generator's error when the reset fails.</summary>
    public async Task<ExposureTransition> ResetFaultAsync(CancellationToken cancellationToken = default)
    {
        var outcome = new TaskCompletionSource<ExposureTransition>(TaskCreationOptions.RunContinuationsAsynchronously);
        var requested = await SubmitAsync(new(ExposureTrigger.FaultResetRequested, InputSource.Console), outcome).ConfigureAwait(false);
        if (!requested.Accepted)
        {
            if (!_snapshot.LinkUp) throw new GeneratorLinkDownException($"cannot reset: {requested.Why}");
            throw new InvalidOperationException($"cannot reset: {requested.Why}");
        }
        return await outcome.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Submits an input and waits until its transition and actions have run. Not on the controller's own
    /// thread (nothing there calls back in: listeners run on the notice thread).</summary>
    public ExposureTransition Submit(ExposureInput input)
    {
        if (Thread.CurrentThread == _thread) throw new InvalidOperationException("the exposure controller's thread cannot wait for its own input");
        return SubmitAsync(input).GetAwaiter().GetResult();
    }

    public Task<ExposureTransition> SubmitAsync(ExposureInput input) => SubmitAsync(input, null);

    private Task<ExposureTransition> SubmitAsync(ExposureInput input, TaskCompletionSource<ExposureTransition>? resetOutcome)
    {
        var reply = new TaskCompletionSource<ExposureTransition>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!TryEnqueue(new Submission(input, reply, resetOutcome, 0)))
        {
            reply.SetException(new ObjectDisposedException(nameof(ExposureController)));
        }
        return reply.Task;
    }

    /// <summary>Posts an input without waiting (link events, command outcomes, timers).</summary>
    private void Post(ExposureInput input, long exposure = 0) => TryEnqueue(new Submission(input, null, null, exposure));

    private bool TryEnqueue(Submission submission)
    {
        try
        {
            Interlocked.Increment(ref _backlog);
            if (_inputs.TryAdd(submission)) return true;
            Interlocked.Decrement(ref _backlog);
            return false;
        }
        catch (InvalidOperationException)
        {
            Interlocked.Decrement(ref _backlog);
            return false; // disposed: adding completed
        }
    }

    private void Consume()
    {
        foreach (var submission in _inputs.GetConsumingEnumerable())
        {
            try
            {
                Process(submission);
            }
            catch (Exception e)
            {
                // Nothing here may stop the loop: the next input (a release) must still be served.
                _logger.LogCritical(e, "exposure control failed on {Input}", submission.Input);
                submission.Reply?.TrySetException(e);
            }
            finally
            {
                Interlocked.Decrement(ref _backlog);
            }
        }
    }

    private void Process(Submission submission)
    {
        var input = submission.Input;
        if (submission.Exposure != 0 && (submission.Exposure != _exposureNumber || _machine.Phase != ExposurePhase.Exposing))
        {
            return; // a hold-limit timer of an exposure that has already ended
        }
        var phaseBefore = _machine.Phase;
        var transition = _machine.Fire(input);
        if (transition.Accepted && _machine.Phase != ExposurePhase.Exposing) DisarmHoldLimit();
        foreach (var action in transition.Actions)
        {
            Run(action, transition);
        }
        _snapshot = new ExposureSnapshot(_machine.State, _machine.Kind, _machine.Emitting, _machine.LinkIsUp);
        if (input.Trigger == ExposureTrigger.FaultResetRequested && transition.Accepted) _resetCompletion = submission.ResetOutcome;
        if (phaseBefore == ExposurePhase.Resetting && _machine.Phase != ExposurePhase.Resetting)
        {
            // The reset's caller learns how it ended, whatever ended it (its own outcome, a fault, the link's loss).
            var waiting = _resetCompletion;
            _resetCompletion = null;
            if (input.Trigger == ExposureTrigger.FaultResetSucceeded) waiting?.TrySetResult(transition);
            else waiting?.TrySetException(input.Cause ?? new InvalidOperationException($"the fault reset was interrupted: {transition}"));
        }
        submission.Reply?.TrySetResult(transition);
        Publish(transition, phaseBefore);
    }

    private void Run(ExposureAction action, ExposureTransition transition)
    {
        switch (action)
        {
            case ExposureAction.SendExposeOff:
                Watch(_link.ExposeOffAsync(), MessageType.ExposeOff, confirmed: new(ExposureTrigger.ExposeOffConfirmed, InputSource.Generator));
                break;
            case ExposureAction.SendPrepare when transition.Kind is { } kind:
                Watch(PrepareAndConfirmAsync(kind), MessageType.Prepare);
                break;
            case ExposureAction.SendExposeOn when transition.Kind is { } kind:
                Watch(_link.ExposeOnAsync(kind), MessageType.ExposeOn, confirmed: new(ExposureTrigger.ExposeOnConfirmed, InputSource.Generator));
                break;
            case ExposureAction.StopHeartbeat:
                _link.StopHeartbeat("exposure state unknown: link lost");
                break;
            case ExposureAction.ResumeHeartbeat:
                _link.ResumeHeartbeat();
                break;
            case ExposureAction.ReadStatus:
                _ = ReadStatusAsync();
                break;
            case ExposureAction.RunFaultReset:
                _ = RunFaultResetAsync();
                break;
            case ExposureAction.CountUnexpectedPulse:
                Interlocked.Increment(ref _unexpectedPulses);
                break;
            case ExposureAction.ArmHoldLimit:
                ArmHoldLimit(transition.Kind);
                break;
        }
    }

    private void ArmHoldLimit(ExposureKind? kind)
    {
        DisarmHoldLimit();
        long number = ++_exposureNumber;
        if (_options.MaxHold(kind) is not { } limit) return;
        _holdTimer = _time.CreateTimer(_ => Post(new(ExposureTrigger.EmergencyStop, InputSource.Station,
            Detail: $"maximum hold of {limit.TotalSeconds:0.#} s reached: release and press again to go on"), number),
            null, limit, Timeout.InfiniteTimeSpan);
    }

    private void DisarmHoldLimit()
    {
        _holdTimer?.Dispose();
        _holdTimer = null;
    }

    /// <summary>A generator that is already prepared acknowledges Prepare without a state change, so no Ready event
    /// follows: after the acknowledgement the station asks where the generator stands.</summary>
    private async Task PrepareAndConfirmAsync(ExposureKind kind)
    {
        await _link.PrepareAsync(kind).ConfigureAwait(false);
        var status = await _link.GetStatusAsync().ConfigureAwait(false);
        if (status.State == GeneratorState.Ready) Post(new(ExposureTrigger.GeneratorReady, InputSource.Generator, Detail: "already prepared"));
    }

    private async Task ReadStatusAsync()
    {
        try
        {
            var status = await _link.GetStatusAsync().ConfigureAwait(false);
            var trigger = status switch
            {
                { State: GeneratorState.Fault } or { Fault: not FaultCode.None } => ExposureTrigger.StatusFaulted,
                { State: GeneratorState.Idle } => ExposureTrigger.StatusIdle,
                _ => ExposureTrigger.StatusBusy,
            };
            Post(new(trigger, InputSource.Generator, Detail: $"generator {status.State}, fault {status.Fault}"));
        }
        catch (Exception e) when (e is GeneratorLinkDownException or GeneratorRefusedException or CommandPreemptedException or ObjectDisposedException or GeneratorProtocolException)
        {
            _logger.LogInformation("generator status after connecting not read: {Error}", e.Message);
        }
    }

    private async Task RunFaultResetAsync()
    {
        try
        {
            var status = await _link.GetStatusAsync().ConfigureAwait(false);
            if (status.State == GeneratorState.Exposing) await _link.ExposeOffAsync().ConfigureAwait(false);
            await _link.ResetFaultAsync().ConfigureAwait(false);
            Post(new(ExposureTrigger.FaultResetSucceeded, InputSource.Generator));
        }
        catch (Exception e)
        {
            LastError = e;
            Post(new(ExposureTrigger.FaultResetFailed, InputSource.Generator, Detail: e.Message, Cause: e));
        }
    }

    private void Watch(Task command, MessageType type, ExposureInput? confirmed = null)
    {
        command.ContinueWith(t =>
        {
            if (t.IsCompletedSuccessfully)
            {
                if (confirmed is { } input) Post(input);
                return;
            }
            var error = t.Exception!.InnerException!;
            LastError = error;
            switch (error)
            {
                case CommandPreemptedException:
                    _logger.LogInformation("{Command} pre-empted by ExposeOff", type);
                    break;
                case GeneratorRefusedException refused:
                    Post(new(ExposureTrigger.CommandRefused, InputSource.Generator, Detail: refused.Message, Cause: refused));
                    break;
                case ObjectDisposedException:
                    break;
                default:
                    Post(new(ExposureTrigger.LinkLost, InputSource.Link, Detail: $"{type}: {error.Message}", Cause: error));
                    break;
            }
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private void OnGeneratorEvent(GeneratorEvent e)
    {
        switch (e)
        {
            case StateChangedEvent { State: GeneratorState.Ready }:
                Post(new(ExposureTrigger.GeneratorReady, InputSource.Generator));
                break;
            case StateChangedEvent { State: GeneratorState.Idle }:
                Post(new(ExposureTrigger.GeneratorIdle, InputSource.Generator));
                break;
            case ExposureStartedEvent started:
                Post(new(ExposureTrigger.GeneratorExposureStarted, InputSource.Generator, started.Setting.Kind));
                break;
            case ExposureEndedEvent ended:
                Post(new(ExposureTrigger.GeneratorExposureEnded, InputSource.Generator, Detail: $"{ended.Reason} after {ended.Pulses} pulses"));
                break;
            case FaultEvent fault:
                Post(new(ExposureTrigger.GeneratorFault, InputSource.Generator, Detail: $"{fault.Code}: {fault.Text}"));
                break;
            case PulseEvent pulse:
                Post(new(ExposureTrigger.GeneratorPulse, InputSource.Generator, pulse.Kind, Detail: $"pulse {pulse.PulseId}"));
                break;
        }
    }

    private void OnLinkStateChanged(LinkState state, string why)
    {
        if (state is LinkState.Down) Post(new(ExposureTrigger.LinkLost, InputSource.Link, Detail: why));
        else if (state is LinkState.Connected) Post(new(ExposureTrigger.LinkUp, InputSource.Link, Detail: why));
    }

    private void Publish(ExposureTransition transition, ExposurePhase phaseBefore)
    {
        if (transition.Accepted)
        {
            if (transition.Input.Trigger != ExposureTrigger.GeneratorPulse) _logger.LogInformation("Exposure {From} -> {To} on {Input}", transition.From, transition.To, transition.Input);
        }
        else if (transition.Input.Trigger is not (ExposureTrigger.GeneratorReady or ExposureTrigger.GeneratorIdle or ExposureTrigger.ExposeOffConfirmed or ExposureTrigger.ExposeOnConfirmed or ExposureTrigger.StatusIdle or ExposureTrigger.StatusBusy))
        {
            _logger.LogInformation("Exposure input {Input} refused in {State}: {Why}", transition.Input, transition.From, transition.Why);
        }
        var alerts = ExposureAlerts.For(transition, phaseBefore, _time.GetUtcNow());
        Notice(() =>
        {
            Transitioned?.Invoke(transition);
            foreach (var alert in alerts)
            {
                if (alert.Kind is not BridgeAlertKind.HighLevelFluoroActive) _logger.LogWarning("Alert {Kind}: {Text}", alert.Kind, alert.Text);
                Alert?.Invoke(alert);
            }
        });
    }

    private void Notice(Action notice)
    {
        try
        {
            _notices.TryAdd(notice);
        }
        catch (InvalidOperationException)
        {
        }
    }

    private void Notify()
    {
        foreach (var notice in _notices.GetConsumingEnumerable())
        {
            try
            {
                notice();
            }
            catch (Exception e)
            {
                _logger.LogError(e, "an exposure listener failed");
            }
        }
    }

    public void Dispose()
    {
        _link.EventReceived -= OnGeneratorEvent;
        _link.StateChanged -= OnLinkStateChanged;
        _inputs.CompleteAdding();
        if (Thread.CurrentThread != _thread) _thread.Join(TimeSpan.FromSeconds(2));
        DisarmHoldLimit();
        _notices.CompleteAdding();
        if (Thread.CurrentThread != _notifier) _notifier.Join(TimeSpan.FromSeconds(2));
    }

    private sealed record Submission(
        ExposureInput Input,
        TaskCompletionSource<ExposureTransition>? Reply,
        TaskCompletionSource<ExposureTransition>? ResetOutcome,
        long Exposure);
}

/// <summary>One consistent read of the exposure machine.</summary>
public sealed record ExposureSnapshot(ExposureState State, ExposureKind? Kind, bool Emitting, bool LinkUp);
