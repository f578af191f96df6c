namespace CathLab.FirmwareBridge.Exposure;

/// <summary>A condition on the input and the machine that a rule needs, beside its phase and trigger.</summary>
public enum ExposureGuard
{
    Always,
    /// <summary>The input carries no exposure kind.</summary>
    NoKind,
    /// <summary>The input does not come from a held switch.</summary>
    NotHeld,
    /// <summary>The input's kind is the kind being prepared, ready or exposing.</summary>
    SameKind,
    /// <summary>The generator has reported ExposureStarted and not yet ExposureEnded.</summary>
    Emitting,
    NotEmitting,
    LinkIsUp,
    LinkIsDown,
}

/// <summary>What a rule changes besides the phase.</summary>
[Flags]
public enum ExposureEffect
{
    None = 0,
    /// <summary>The machine's kind becomes the input's.</summary>
    TakeKind = 1,
    ClearKind = 2,
    EmissionOn = 4,
    EmissionOff = 8,
    LinkGoesUp = 16,
    LinkGoesDown = 32,
}

/// <summary>One row of the exposure table: in <see cref="From"/> (any phase when null), on one of
/// <see cref="Triggers"/>, when <see cref="Guard"/> holds, go to <see cref="To"/> (stay when null) with
/// <see cref="Effects"/> and run <see cref="Actions"/> in order; or, when <see cref="Refusal"/> is set, refuse the input
/// with that reason and change nothing. The first matching row wins; an input no row matches is ignored (refused, no change).</summary>
public sealed record ExposureRule(
    IReadOnlyList<ExposurePhase>? From,
    IReadOnlyList<ExposureTrigger> Triggers,
    ExposureGuard Guard,
    ExposurePhase? To,
    ExposureEffect Effects,
    IReadOnlyList<ExposureAction> Actions,
    string? Refusal = null)
{
    public bool Matches(ExposurePhase phase, ExposureTrigger trigger) =>
        (From is null || From.Contains(phase)) && Triggers.Contains(trigger);
}
