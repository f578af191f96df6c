using CathLab.Wire.Generator;

namespace CathLab.FirmwareBridge.Exposure;

/// <summary>The exposure state machine, free of I/O: each input is looked up in <see cref="ExposureTable"/> and gives a
/// transition and the actions to run. Everything the safety path decides on lives here: the phase, the kind, whether
/// the generator reports emission, whether the link is up. Not thread-safe: <see cref="ExposureController"/> feeds it
/// from one thread.</summary>
public sealed class ExposureStateMachine(TimeProvider? time = null, bool linkUp = true)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public ExposurePhase Phase { get; private set; } = ExposurePhase.Idle;

    /// <summary>The kind being prepared, ready, exposing or stopping.</summary>
    public ExposureKind? Kind { get; private set; }

    /// <summary>True between the generator's ExposureStarted and ExposureEnded (cleared when the link is lost: emission
    /// is then unknown, and the stopped heartbeat ends it).</summary>
    public bool Emitting { get; private set; }

    public bool LinkIsUp { get; private set; } = linkUp;

    public ExposureState State => Phase.ToState(Kind);

    /// <summary>The row that decided the last input (null when no row matched).</summary>
    public ExposureRule? LastRule { get; private set; }

    public ExposureTransition Fire(ExposureInput input)
    {
        var from = State;
        var rule = Find(input);
        LastRule = rule;
        if (rule is null) return Refused(from, input, $"ignored in {Phase}");
        if (rule.Refusal is { } why) return Refused(from, input, $"{why} ({Phase})");
        Apply(rule, input);
        var to = State;
        var actions = new List<ExposureAction>(rule.Actions.Count + 1);
        actions.AddRange(rule.Actions);
        if (from == ExposureState.HighLevelFluoro && to != ExposureState.HighLevelFluoro) actions.Add(ExposureAction.StopHighLevelAlert);
        if (from != ExposureState.HighLevelFluoro && to == ExposureState.HighLevelFluoro) actions.Add(ExposureAction.StartHighLevelAlert);
        return new ExposureTransition(_time.GetUtcNow(), from, to, input, Kind, actions, true, null);
    }

    private ExposureTransition Refused(ExposureState from, ExposureInput input, string why) =>
        new(_time.GetUtcNow(), from, from, input, Kind, [], false, why);

    private ExposureRule? Find(ExposureInput input)
    {
        foreach (var rule in ExposureTable.Rules)
        {
            if (rule.Matches(Phase, input.Trigger) && Holds(rule.Guard, input)) return rule;
        }
        return null;
    }

    private bool Holds(ExposureGuard guard, ExposureInput input) => guard switch
    {
        ExposureGuard.Always => true,
        ExposureGuard.NoKind => input.Kind is null,
        ExposureGuard.NotHeld => !input.Held,
        ExposureGuard.SameKind => input.Kind == Kind,
        ExposureGuard.Emitting => Emitting,
        ExposureGuard.NotEmitting => !Emitting,
        ExposureGuard.LinkIsUp => LinkIsUp,
        ExposureGuard.LinkIsDown => !LinkIsUp,
        _ => throw new ArgumentOutOfRangeException(nameof(guard), guard, "unknown guard"),
    };

    private void Apply(ExposureRule rule, ExposureInput input)
    {
        var effects = rule.Effects;
        if (effects.HasFlag(ExposureEffect.TakeKind)) Kind = input.Kind;
        if (effects.HasFlag(ExposureEffect.ClearKind)) Kind = null;
        if (effects.HasFlag(ExposureEffect.EmissionOn)) Emitting = true;
        if (effects.HasFlag(ExposureEffect.EmissionOff)) Emitting = false;
        if (effects.HasFlag(ExposureEffect.LinkGoesUp)) LinkIsUp = true;
        if (effects.HasFlag(ExposureEffect.LinkGoesDown)) LinkIsUp = false;
        if (rule.To is { } to)
        {
            Phase = to;
            if (to is ExposurePhase.Idle or ExposurePhase.Fault or ExposurePhase.LinkDown or ExposurePhase.Resetting) Kind = null;
        }
    }
}
