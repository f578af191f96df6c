using CathLab.Wire.Generator;

namespace CathLab.FirmwareBridge.Exposure;

/// <summary>The exposure state machine, free of I/O: each input gives a transition and the actions to run.
/// Not thread-safe; <see cref="ExposureController"/> serialises inputs.</summary>
public sealed class ExposureStateMachine(TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public ExposureState State { get; private set; } = ExposureState.Idle;

    /// <summary>The kind being prepared, ready or exposing.</summary>
    public ExposureKind? Kind { get; private set; }

    /// <summary>An expose request waiting for the generator to become ready (pedal still held).</summary>
    public ExposureKind? PendingExpose { get; private set; }

    public ExposureTransition Fire(ExposureInput input)
    {
        var from = State;
        var actions = new List<ExposureAction>(3);
        string? refusal = Decide(input, actions);
        if (refusal is not null)
        {
            return new ExposureTransition(_time.GetUtcNow(), from, from, input, Kind, [], false, refusal);
        }
        if (from == ExposureState.HighLevelFluoro && State != ExposureState.HighLevelFluoro) actions.Add(ExposureAction.StopHighLevelAlert);
        if (from != ExposureState.HighLevelFluoro && State == ExposureState.HighLevelFluoro) actions.Add(ExposureAction.StartHighLevelAlert);
        return new ExposureTransition(_time.GetUtcNow(), from, State, input, Kind, actions, true, null);
    }

    private string? Decide(ExposureInput input, List<ExposureAction> actions)
    {
        switch (input.Trigger)
        {
            case ExposureTrigger.Prepare:
                return Prepare(input, actions);
            case ExposureTrigger.Expose:
                return Expose(input, actions);
            case ExposureTrigger.Release:
                return Release(actions);
            case ExposureTrigger.GeneratorReady:
                if (State != ExposureState.Preparing) return $"not preparing ({State})";
                if (PendingExpose is { } kind)
                {
                    PendingExpose = null;
                    Kind = kind;
                    State = kind.ExposingState();
                    actions.Add(ExposureAction.SendExposeOn);
                }
                else
                {
                    State = ExposureState.Ready;
                }
                return null;
            case ExposureTrigger.GeneratorIdle:
                if (State is not (ExposureState.Ready or ExposureState.Preparing)) return $"generator idle ignored in {State}";
                To(ExposureState.Idle);
                return null;
            case ExposureTrigger.GeneratorExposureEnded:
                if (!State.IsExposing()) return $"no exposure to end in {State}";
                State = ExposureState.Ready;
                return null;
            case ExposureTrigger.GeneratorFault:
            case ExposureTrigger.CommandRefused:
            case ExposureTrigger.WatchdogTripped:
                if (State.IsExposing() || input.Trigger == ExposureTrigger.WatchdogTripped) actions.Add(ExposureAction.SendExposeOff);
                To(ExposureState.Fault);
                return null;
            case ExposureTrigger.LinkLost:
                actions.Add(ExposureAction.StopHeartbeat);
                To(ExposureState.Fault);
                return null;
            case ExposureTrigger.LinkRestoredIdle:
                if (State != ExposureState.Fault) return $"no fault to clear ({State})";
                actions.Add(ExposureAction.ResumeHeartbeat);
                To(ExposureState.Idle);
                return null;
            case ExposureTrigger.FaultReset:
                if (State != ExposureState.Fault) return $"no fault to reset ({State})";
                actions.Add(ExposureAction.ResumeHeartbeat);
                To(ExposureState.Idle);
                return null;
            default:
                return $"unknown trigger {input.Trigger}";
        }
    }

    private string? Prepare(ExposureInput input, List<ExposureAction> actions)
    {
        if (input.Kind is not { } kind) return "prepare needs an exposure kind";
        switch (State)
        {
            case ExposureState.Idle:
            case ExposureState.Ready when Kind != kind:
                Kind = kind;
                PendingExpose = null;
                State = ExposureState.Preparing;
                actions.Add(ExposureAction.SendPrepare);
                return null;
            case ExposureState.Ready:
            case ExposureState.Preparing when Kind == kind:
                return null;
            default:
                return $"cannot prepare {kind} in {State}";
        }
    }

    private string? Expose(ExposureInput input, List<ExposureAction> actions)
    {
        if (input.Kind is not { } kind) return "expose needs an exposure kind";
        if (kind == ExposureKind.HighLevelFluoro && input.Source != InputSource.Pedal)
        {
            return "high-level fluoro needs continuous activation: a held pedal, not a console command";
        }
        switch (State)
        {
            case ExposureState.Idle:
                Kind = kind;
                PendingExpose = kind;
                State = ExposureState.Preparing;
                actions.Add(ExposureAction.SendPrepare);
                return null;
            case ExposureState.Preparing:
                if (Kind != kind) return $"preparing {Kind}, not {kind}";
                PendingExpose = kind;
                return null;
            case ExposureState.Ready when Kind == kind:
                State = kind.ExposingState();
                actions.Add(ExposureAction.SendExposeOn);
                return null;
            case ExposureState.Ready:
                Kind = kind;
                PendingExpose = kind;
                State = ExposureState.Preparing;
                actions.Add(ExposureAction.SendPrepare);
                return null;
            case ExposureState.Fault:
                return "a fault is active; reset it first";
            default:
                return $"already exposing {Kind}";
        }
    }

    private string? Release(List<ExposureAction> actions)
    {
        switch (State)
        {
            case ExposureState.ExposingFluoro:
            case ExposureState.ExposingCine:
            case ExposureState.HighLevelFluoro:
                State = ExposureState.Ready;
                actions.Add(ExposureAction.SendExposeOff);
                return null;
            case ExposureState.Preparing when PendingExpose is not null:
                PendingExpose = null;
                return null;
            default:
                return $"nothing to release in {State}";
        }
    }

    private void To(ExposureState state)
    {
        State = state;
        PendingExpose = null;
        if (state is ExposureState.Idle or ExposureState.Fault) Kind = null;
    }
}
