using CathLab.FirmwareBridge.Link;
using CathLab.Wire.Generator;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CathLab.FirmwareBridge.Exposure;

/// <summary>Exposure control as one serialised machine. Every input (held switches, the console, generator events,
/// command outcomes, link changes, the maximum-hold timer, the dose-rate limiter, shutdown) goes into one queue that one
/// thread consumes (<see cref="ExposureInputLoop"/>); each transition of <see cref="ExposureStateMachine"/> and its
/// actions run to completion, in order, before the next input. Its parts: the loop, the action runner that puts actions
/// on the link and turns outcomes back into inputs (<see cref="ExposureActionRunner"/>), the event mapping
/// (<see cref="GeneratorEventInputs"/>), the hold timer (<see cref="HoldLimitTimer"/>), the watched presses
/// (<see cref="ExposurePresses"/>) and the notice thread (<see cref="ExposureNotices"/>), so a slow listener never
/// delays the safety path.</summary>
public sealed class ExposureController : IExposurePresses, IDisposable
{
    private readonly IGeneratorLink _link;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ExposureStateMachine _machine;
    private readonly ExposureInputLoop _loop;
    private readonly ExposureNotices _notices;
    private readonly ExposureActionRunner _runner;
    private readonly HoldLimitTimer _holdLimit;
    private readonly ExposurePresses _presses = new();
    private volatile ExposureSnapshot _snapshot;
    private TaskCompletionSource<ExposureTransition>? _resetCompletion;
    private int _unexpectedPulses;

    public ExposureController(IGeneratorLink link, ILogger<ExposureController>? logger = null, TimeProvider? time = null, ExposureControlOptions? options = null)
    {
        _link = link;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _time = time ?? TimeProvider.System;
        _machine = new ExposureStateMachine(_time, link.State == LinkState.Connected);
        _snapshot = new ExposureSnapshot(_machine.State, null, false, _machine.LinkIsUp);
        _runner = new ExposureActionRunner(link, _logger, input => Post(input));
        _holdLimit = new HoldLimitTimer(_time, options ?? new ExposureControlOptions(), Post);
        _notices = new ExposureNotices(_logger);
        _loop = new ExposureInputLoop(Process, Failed);
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
    public int Backlog => _loop.Backlog;

    /// <summary>Pulses the generator reported while no exposure was running (should stay 0).</summary>
    public int UnexpectedPulses => Volatile.Read(ref _unexpectedPulses);

    /// <summary>Every transition and every refused input, in order (raised on the notice thread).</summary>
    public event Action<ExposureTransition>? Transitioned;

    /// <summary>Raised on the notice thread.</summary>
    public event Action<BridgeAlert>? Alert;

    /// <summary>The last error a command returned (the generator's refusal with its reason, or a link failure).</summary>
    public Exception? LastError => _runner.LastError;

    /// <summary>A held switch pressed (hardware pedal, or a held pedal stream from the console or a browser).</summary>
    public ExposureTransition PedalPressed(ExposureKind kind, InputSource source = InputSource.HardwarePedal) =>
        Submit(new(ExposureTrigger.Expose, source, kind, Held: true));

    /// <summary>A held switch pressed, with a handle whose <see cref="ExposurePress.Ended"/> says when and why this press
    /// ended, whatever ended it.</summary>
    public ExposurePress Press(ExposureKind kind, InputSource source = InputSource.HardwarePedal)
    {
        var press = WatchNextPress(source);
        press.Pressed = PedalPressed(kind, source);
        return press;
    }

    /// <inheritdoc />
    public ExposurePress WatchNextPress(InputSource source) => _presses.WatchNextPress(source);

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

    /// <summary>The dose-rate limiter cannot hold the limit: emission stops as on an emergency stop. Does not wait (the
    /// limiter runs on the frame path).</summary>
    public void DoseRateExceeded(string why) => Post(new(ExposureTrigger.DoseRateExceeded, InputSource.DoseLimiter, Detail: why));

    /// <summary>The generator says events were lost (its backlog overflowed): the machine reads its status and
    /// resynchronises. Does not wait.</summary>
    public void GeneratorEventsLost(uint count) => Post(GeneratorEventInputs.EventsLost(count));

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
        if (_loop.OnLoopThread) throw new InvalidOperationException("the exposure controller's thread cannot wait for its own input");
        return SubmitAsync(input).GetAwaiter().GetResult();
    }

    public Task<ExposureTransition> SubmitAsync(ExposureInput input) => SubmitAsync(input, null);

    private Task<ExposureTransition> SubmitAsync(ExposureInput input, TaskCompletionSource<ExposureTransition>? resetOutcome)
    {
        var reply = new TaskCompletionSource<ExposureTransition>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_loop.TryEnqueue(new ExposureSubmission(input, reply, resetOutcome, 0)))
        {
            reply.SetException(new ObjectDisposedException(nameof(ExposureController)));
        }
        return reply.Task;
    }

    /// <summary>Posts an input without waiting (link events, command outcomes, timers).</summary>
    private void Post(ExposureInput input, long exposure = 0) => _loop.TryEnqueue(new ExposureSubmission(input, null, null, exposure));

    private void Failed(ExposureSubmission submission, Exception e)
    {
        _logger.LogCritical(e, "exposure control failed on {Input}", submission.Input);
        submission.Reply?.TrySetException(e);
    }

    private void Process(ExposureSubmission submission)
    {
        var input = submission.Input;
        if (submission.Exposure != 0 && (submission.Exposure != _holdLimit.Exposure || _machine.Phase != ExposurePhase.Exposing))
        {
            return; // a hold-limit timer of an exposure that has already ended
        }
        var phaseBefore = _machine.Phase;
        var transition = _machine.Fire(input);
        if (transition.Accepted && _machine.Phase != ExposurePhase.Exposing) _holdLimit.Disarm();
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
        _presses.Observe(transition, phaseBefore, _machine.Phase);
        Publish(transition, phaseBefore);
    }

    private void Run(ExposureAction action, ExposureTransition transition)
    {
        if (_runner.TryRun(action, transition.Kind)) return;
        switch (action)
        {
            case ExposureAction.CountUnexpectedPulse:
                Interlocked.Increment(ref _unexpectedPulses);
                break;
            case ExposureAction.ArmHoldLimit:
                _holdLimit.Arm(transition.Kind);
                break;
        }
    }

    private void OnGeneratorEvent(GeneratorEvent e)
    {
        if (GeneratorEventInputs.For(e) is { } input) Post(input);
    }

    private void OnLinkStateChanged(LinkState state, string why)
    {
        if (GeneratorEventInputs.For(state, why) is { } input) Post(input);
    }

    private void Publish(ExposureTransition transition, ExposurePhase phaseBefore)
    {
        if (transition.Accepted)
        {
            if (transition.Input.Trigger != ExposureTrigger.GeneratorPulse) _logger.LogInformation("Exposure {From} -> {To} on {Input}", transition.From, transition.To, transition.Input);
        }
        else if (transition.Input.Trigger is not (ExposureTrigger.GeneratorReady or ExposureTrigger.GeneratorIdle or ExposureTrigger.ExposeOffConfirmed or ExposureTrigger.ExposeOnConfirmed or ExposureTrigger.StatusIdle or ExposureTrigger.StatusReady or ExposureTrigger.StatusExposing))
        {
            _logger.LogInformation("Exposure input {Input} refused in {State}: {Why}", transition.Input, transition.From, transition.Why);
        }
        var alerts = ExposureAlerts.For(transition, phaseBefore, _time.GetUtcNow());
        _notices.Post(() =>
        {
            Transitioned?.Invoke(transition);
            foreach (var alert in alerts)
            {
                if (alert.Kind is not BridgeAlertKind.HighLevelFluoroActive) _logger.LogWarning("Alert {Kind}: {Text}", alert.Kind, alert.Text);
                Alert?.Invoke(alert);
            }
        });
    }

    public void Dispose()
    {
        _link.EventReceived -= OnGeneratorEvent;
        _link.StateChanged -= OnLinkStateChanged;
        _loop.Dispose();
        _holdLimit.Dispose();
        _notices.Dispose();
    }
}

/// <summary>One consistent read of the exposure machine.</summary>
public sealed record ExposureSnapshot(ExposureState State, ExposureKind? Kind, bool Emitting, bool LinkUp);
