using CathLab.Wire.Generator;

namespace CathLab.FirmwareBridge.Exposure;

/// <summary>The station's exposure state: what it has commanded and what the generator has confirmed.</summary>
public enum ExposureState
{
    Idle,
    Preparing,
    Ready,
    ExposingFluoro,
    ExposingCine,
    HighLevelFluoro,
    /// <summary>A generator fault, a refused exposure or a lost link: emission is stopped or unknown.
    /// Only a fault reset leaves it, except a link lost while idle, which clears when the link is back and the
    /// generator reports Idle with no fault.</summary>
    Fault,
}

public static class ExposureStateExtensions
{
    public static bool IsExposing(this ExposureState state) =>
        state is ExposureState.ExposingFluoro or ExposureState.ExposingCine or ExposureState.HighLevelFluoro;

    public static ExposureState ExposingState(this ExposureKind kind) => kind switch
    {
        ExposureKind.Fluoro => ExposureState.ExposingFluoro,
        ExposureKind.Cine => ExposureState.ExposingCine,
        ExposureKind.HighLevelFluoro => ExposureState.HighLevelFluoro,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown exposure kind"),
    };
}

/// <summary>Who asked for a change: a foot or hand switch (held for as long as it is pressed) or the console.</summary>
public enum InputSource
{
    Pedal,
    Console,
    Generator,
    Link,
    Watchdog,
}

/// <summary>What can drive the exposure state machine.</summary>
public enum ExposureTrigger
{
    /// <summary>Console: get the tube ready for a kind without exposing.</summary>
    Prepare,
    /// <summary>Pedal pressed or console expose: prepare if needed, then expose while held.</summary>
    Expose,
    /// <summary>Pedal released or console stop.</summary>
    Release,
    GeneratorReady,
    GeneratorIdle,
    /// <summary>The generator ended the exposure by itself (its reason in the input's detail).</summary>
    GeneratorExposureEnded,
    GeneratorFault,
    /// <summary>The generator refused a command the machine sent.</summary>
    CommandRefused,
    /// <summary>The link went down or a command's outcome is unknown: emission is unknown.</summary>
    LinkLost,
    /// <summary>The link is back after a loss while no exposure was in progress, and the generator reports Idle with no
    /// fault latched: nothing is unknown, so the fault the loss raised clears by itself.</summary>
    LinkRestoredIdle,
    /// <summary>The watchdog saw something unsafe (pulses while not exposing, no pulses while exposing).</summary>
    WatchdogTripped,
    /// <summary>Console: the fault was reset in the generator.</summary>
    FaultReset,
}

/// <summary>One input to the machine.</summary>
public readonly record struct ExposureInput(ExposureTrigger Trigger, InputSource Source, ExposureKind? Kind = null, string? Detail = null)
{
    public override string ToString() => $"{Trigger}{(Kind is { } k ? $"({k})" : "")} from {Source}{(Detail is null ? "" : $": {Detail}")}";
}

/// <summary>What the machine asks the bridge to do after a transition.</summary>
public enum ExposureAction
{
    SendPrepare,
    SendExposeOn,
    /// <summary>Goes first on the link, ahead of anything queued.</summary>
    SendExposeOff,
    /// <summary>Emission is unknown: stop heartbeats so the generator's own window stops it.</summary>
    StopHeartbeat,
    ResumeHeartbeat,
    StartHighLevelAlert,
    StopHighLevelAlert,
}

/// <summary>A transition (or a refused input, when <see cref="Accepted"/> is false), as logged.</summary>
public sealed record ExposureTransition(
    DateTimeOffset At,
    ExposureState From,
    ExposureState To,
    ExposureInput Input,
    ExposureKind? Kind,
    IReadOnlyList<ExposureAction> Actions,
    bool Accepted,
    string? Why)
{
    public override string ToString() => Accepted
        ? $"{From} -> {To} on {Input}{(Actions.Count > 0 ? $" [{string.Join(", ", Actions)}]" : "")}"
        : $"{From}: {Input} refused: {Why}";
}
