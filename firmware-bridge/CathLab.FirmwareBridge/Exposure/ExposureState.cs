using CathLab.Wire.Generator;

namespace CathLab.FirmwareBridge.Exposure;

/// <summary>The station's exposure state as others see it: the machine's phase, with the exposing phase named by its kind.</summary>
public enum ExposureState
{
    Idle,
    Preparing,
    /// <summary>A held switch asked for exposure; the generator is preparing and exposure starts when it is ready.</summary>
    PreparingToExpose,
    Ready,
    ExposingFluoro,
    ExposingCine,
    HighLevelFluoro,
    /// <summary>ExposeOff sent; waiting for the generator to confirm that emission ended.</summary>
    Stopping,
    /// <summary>A generator fault, a refused command, the watchdog, or a link lost while exposing: emission is stopped or
    /// unknown. Only a fault reset leaves it.</summary>
    Fault,
    /// <summary>The link went down while nothing was commanded or emitting: clears by itself once the link is back and
    /// the generator reports Idle with no fault.</summary>
    LinkDown,
    /// <summary>A fault reset is running on the link (heartbeats resumed, status read, ExposeOff if needed, ResetFault).</summary>
    Resetting,
}

/// <summary>The machine's own states: <see cref="ExposureState"/> with one exposing phase whatever the kind.</summary>
public enum ExposurePhase
{
    Idle,
    Preparing,
    PreparingToExpose,
    Ready,
    Exposing,
    Stopping,
    Fault,
    LinkDown,
    Resetting,
}

public static class ExposureStateExtensions
{
    public static bool IsExposing(this ExposureState state) =>
        state is ExposureState.ExposingFluoro or ExposureState.ExposingCine or ExposureState.HighLevelFluoro;

    /// <summary>True in the states that need a fault reset (or the link back) before anything can expose.</summary>
    public static bool IsFaulted(this ExposureState state) =>
        state is ExposureState.Fault or ExposureState.LinkDown or ExposureState.Resetting;

    public static ExposureState ExposingState(this ExposureKind kind) => kind switch
    {
        ExposureKind.Fluoro => ExposureState.ExposingFluoro,
        ExposureKind.Cine => ExposureState.ExposingCine,
        ExposureKind.HighLevelFluoro => ExposureState.HighLevelFluoro,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown exposure kind"),
    };

    public static ExposureState ToState(this ExposurePhase phase, ExposureKind? kind) => phase switch
    {
        ExposurePhase.Idle => ExposureState.Idle,
        ExposurePhase.Preparing => ExposureState.Preparing,
        ExposurePhase.PreparingToExpose => ExposureState.PreparingToExpose,
        ExposurePhase.Ready => ExposureState.Ready,
        ExposurePhase.Exposing => (kind ?? throw new InvalidOperationException("exposing without a kind")).ExposingState(),
        ExposurePhase.Stopping => ExposureState.Stopping,
        ExposurePhase.Fault => ExposureState.Fault,
        ExposurePhase.LinkDown => ExposureState.LinkDown,
        ExposurePhase.Resetting => ExposureState.Resetting,
        _ => throw new ArgumentOutOfRangeException(nameof(phase), phase, "unknown phase"),
    };
}

/// <summary>Where an input came from. Exposure starts only from a held switch (a hardware pedal, or the console's or a
/// browser's held pedal stream, each a dead-man); every input is logged and audited with its source.</summary>
public enum InputSource
{
    /// <summary>A hardware foot or hand switch wired to the station.</summary>
    HardwarePedal,
    /// <summary>The <c>cathlab</c> console (its held pedal stream, or a command).</summary>
    Console,
    /// <summary>The web application (its held pedal stream, or a command).</summary>
    Browser,
    /// <summary>The station itself: shutdown, a run-length limit, the maximum hold.</summary>
    Station,
    Generator,
    Link,
    Watchdog,
    DoseLimiter,
}

/// <summary>What can drive the exposure state machine.</summary>
public enum ExposureTrigger
{
    /// <summary>Console: get the tube ready for a kind without exposing.</summary>
    Prepare,
    /// <summary>A held switch pressed: prepare if needed, then expose while held.</summary>
    Expose,
    /// <summary>The held switch released (or its stream ended, its lease expired, its connection was lost).</summary>
    Release,
    /// <summary>Stop emission now whatever the state (shutdown, maximum hold): ExposeOff goes out.</summary>
    EmergencyStop,
    /// <summary>The dose-rate limiter cannot hold the limit (even the minimum technique is over it, or the generator
    /// reports a rate over it beyond tolerance): stops emission as <see cref="EmergencyStop"/> does.</summary>
    DoseRateExceeded,
    GeneratorReady,
    GeneratorIdle,
    GeneratorExposureStarted,
    /// <summary>The generator ended the exposure (after ExposeOff, or by itself: its reason in the detail).</summary>
    GeneratorExposureEnded,
    GeneratorPulse,
    GeneratorFault,
    /// <summary>The generator's event backlog overflowed: events never reached the station, so emission is unknown
    /// until its status is read.</summary>
    GeneratorEventsLost,
    /// <summary>The generator acknowledged ExposeOn: it executed it, so its ExposureStarted and ExposureEnded will come.</summary>
    ExposeOnConfirmed,
    /// <summary>The generator acknowledged ExposeOff: it has stopped.</summary>
    ExposeOffConfirmed,
    /// <summary>The generator refused a command the machine sent.</summary>
    CommandRefused,
    /// <summary>The link went down (no answer, port gone, heartbeat unanswered) or a command's outcome is unknown.</summary>
    LinkLost,
    /// <summary>The link is (back) up; the generator's status is asked next.</summary>
    LinkUp,
    /// <summary>A status read (after the link came up, or after lost events): the generator reports Idle with no fault.</summary>
    StatusIdle,
    /// <summary>A status read: the generator reports a latched fault.</summary>
    StatusFaulted,
    /// <summary>A status read: the generator reports Ready (prepared, not emitting).</summary>
    StatusReady,
    /// <summary>A status read: the generator reports Exposing.</summary>
    StatusExposing,
    FaultResetRequested,
    FaultResetSucceeded,
    FaultResetFailed,
}

/// <summary>One input to the machine. <paramref name="Held"/>: the input comes from a held switch (dead-man).</summary>
public readonly record struct ExposureInput(
    ExposureTrigger Trigger,
    InputSource Source,
    ExposureKind? Kind = null,
    string? Detail = null,
    bool Held = false,
    Exception? Cause = null)
{
    public override string ToString() => $"{Trigger}{(Kind is { } k ? $"({k})" : "")} from {Source}{(Held ? " (held)" : "")}{(Detail is null ? "" : $": {Detail}")}";
}

/// <summary>What the machine asks the controller to do after a transition; run in order, on the controller's thread.</summary>
public enum ExposureAction
{
    SendPrepare,
    SendExposeOn,
    /// <summary>Goes first on the link, ahead of anything queued, and cancels a queued ExposeOn.</summary>
    SendExposeOff,
    /// <summary>Emission is unknown: stop heartbeats so the generator's own window stops it.</summary>
    StopHeartbeat,
    ResumeHeartbeat,
    /// <summary>Ask the generator where it stands (after the link came up, or after lost events); the answer comes back
    /// as a status input.</summary>
    ReadStatus,
    /// <summary>Heartbeats on, status, ExposeOff if still exposing, ResetFault; the outcome comes back as an input.</summary>
    RunFaultReset,
    StartHighLevelAlert,
    StopHighLevelAlert,
    /// <summary>A pulse inside an exposure: counted, and in high-level fluoro the continuous alert sounds again.</summary>
    SignalPulse,
    /// <summary>A pulse reported outside any exposure (the watchdog).</summary>
    CountUnexpectedPulse,
    /// <summary>Start the maximum-hold timer of the exposure that just began.</summary>
    ArmHoldLimit,
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
