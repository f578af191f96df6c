using System.Text;
using static CathLab.FirmwareBridge.Exposure.ExposureAction;
using static CathLab.FirmwareBridge.Exposure.ExposureEffect;
using static CathLab.FirmwareBridge.Exposure.ExposureGuard;
using static CathLab.FirmwareBridge.Exposure.ExposurePhase;
using static CathLab.FirmwareBridge.Exposure.ExposureTrigger;

namespace CathLab.FirmwareBridge.Exposure;

/// <summary>The exposure control table: every transition the machine can make, in the order it tries them.
/// docs/firmware-bridge.md prints it (<see cref="ToMarkdown"/>); a test fails when the two differ.</summary>
public static class ExposureTable
{
    private static readonly ExposurePhase[]? Any = null;

    public static IReadOnlyList<ExposureRule> Rules { get; } =
    [
        // What an input must carry.
        Refuse(Any, [Prepare, Expose], NoKind, "needs an exposure kind"),
        Refuse(Any, [Expose], NotHeld, "exposure needs a held switch (dead-man): a hardware pedal or a held pedal stream"),

        // The link: lost with nothing commanded clears by itself later; lost otherwise, emission is unknown.
        Go([Idle, Preparing, Ready], [LinkLost], NotEmitting, LinkDown, ClearKind | LinkGoesDown, StopHeartbeat),
        Go([LinkDown], [LinkLost], Always, null, LinkGoesDown, StopHeartbeat),
        Go(Any, [LinkLost], Always, Fault, ClearKind | EmissionOff | LinkGoesDown, StopHeartbeat),
        Go(Any, [ExposureTrigger.LinkUp], Always, null, LinkGoesUp, ReadStatus),
        Go([LinkDown], [StatusIdle], Always, Idle, None, ResumeHeartbeat),
        Go([LinkDown], [StatusReady, StatusExposing], Always, Fault, None, SendExposeOff),
        Go([Fault, Resetting], [StatusFaulted], Always, null),
        Go([Exposing, Stopping], [StatusFaulted], Always, Fault, ClearKind, SendExposeOff),
        Go(Any, [StatusFaulted], Emitting, Fault, ClearKind, SendExposeOff),
        Go(Any, [StatusFaulted], Always, Fault, ClearKind),

        // Faults: ExposeOff whenever something may be emitting.
        Go([Fault], [GeneratorFault, CommandRefused], Emitting, null, None, SendExposeOff),
        Go([Fault], [GeneratorFault, CommandRefused], Always, null),
        Go([Exposing, Stopping], [GeneratorFault, CommandRefused], Always, Fault, ClearKind, SendExposeOff),
        Go(Any, [GeneratorFault, CommandRefused], Emitting, Fault, ClearKind, SendExposeOff),
        Go(Any, [GeneratorFault, CommandRefused], Always, Fault, ClearKind),

        // Fault reset.
        Refuse(Any, [FaultResetRequested], LinkIsDown, "cannot reset: the generator link is down"),
        Go([Fault, LinkDown], [FaultResetRequested], Always, Resetting, None, ResumeHeartbeat, RunFaultReset),
        Refuse([Resetting], [FaultResetRequested], Always, "a fault reset is already running"),
        Refuse(Any, [FaultResetRequested], Always, "no fault to reset"),
        // Emission the generator reported stays counted until its ExposureEnded: the events of the exposure the fault
        // ended may still be on their way, and their pulses are not the watchdog's.
        Go([Resetting], [FaultResetSucceeded], Always, Idle, ClearKind),
        Go([Resetting], [FaultResetFailed], Emitting, Fault, None, SendExposeOff),
        Go([Resetting], [FaultResetFailed], Always, Fault),

        // What the generator reports of emission; a pulse outside an exposure is the watchdog's.
        Go(Any, [GeneratorPulse], Emitting, null, None, SignalPulse),
        Go([Fault], [GeneratorPulse], NotEmitting, null, None, SendExposeOff, CountUnexpectedPulse),
        Go(Any, [GeneratorPulse], NotEmitting, Fault, ClearKind, SendExposeOff, CountUnexpectedPulse),
        // An acknowledged ExposeOn counts as emission until the generator's ExposureEnded: the events of an exposure
        // may arrive after the ExposeOff's answer, and must not be taken for those of the next one.
        Go([Exposing, Stopping], [GeneratorExposureStarted, ExposeOnConfirmed], Always, null, EmissionOn),
        Go(Any, [GeneratorExposureStarted, ExposeOnConfirmed], Always, null, EmissionOn, SendExposeOff),
        Go([Exposing, Stopping], [GeneratorExposureEnded], Always, Ready, EmissionOff),
        Go(Any, [GeneratorExposureEnded], Always, null, EmissionOff),
        Go([Stopping], [ExposeOffConfirmed], NotEmitting, Ready),

        // Events lost in the generator's backlog: emission is unknown until its status is read. Held and exposing, it
        // goes on; anywhere else something may be emitting that nobody holds, and ExposeOff goes out first.
        Go([LinkDown], [GeneratorEventsLost], Always, null),
        Go([Exposing], [GeneratorEventsLost], Always, null, None, ReadStatus),
        Go([Stopping], [GeneratorEventsLost], Always, null, None, SendExposeOff, ReadStatus),
        Go(Any, [GeneratorEventsLost], Emitting, null, None, SendExposeOff, ReadStatus),
        Go(Any, [GeneratorEventsLost], Always, null, None, ReadStatus),
        // The status stands in for the events that did not arrive.
        Go([Exposing], [StatusExposing], Always, null, EmissionOn),
        Go(Any, [StatusExposing], Always, null, EmissionOn, SendExposeOff),
        Go([Exposing, Stopping], [StatusReady], Always, Ready, EmissionOff, SendExposeOff),
        Go([Exposing, Stopping], [StatusIdle], Always, Idle, ClearKind | EmissionOff, SendExposeOff),
        Go([Preparing, PreparingToExpose], [StatusReady], Always, null, None, SendPrepare),
        Go([Preparing, PreparingToExpose, Ready], [StatusIdle], Always, Idle, ClearKind),
        Go([Idle, Ready], [StatusIdle, StatusReady], Emitting, null, EmissionOff),

        // Stopping: release, emergency stop and the dose-rate limiter.
        Go([Exposing], [Release, EmergencyStop, DoseRateExceeded], Always, Stopping, None, SendExposeOff),
        Go([PreparingToExpose], [Release], Always, Preparing),
        Go([PreparingToExpose], [EmergencyStop, DoseRateExceeded], Always, Preparing, None, SendExposeOff),
        Go([Stopping], [Release], Always, null),
        Go([LinkDown], [EmergencyStop, DoseRateExceeded], Always, null),
        Go(Any, [EmergencyStop, DoseRateExceeded], LinkIsUp, null, None, SendExposeOff),
        Go(Any, [EmergencyStop, DoseRateExceeded], Always, null),
        Refuse(Any, [Release], Always, "nothing to release"),

        // Preparing and exposing.
        Refuse([Fault], [Prepare, Expose], Always, "a fault is active: reset it first"),
        Refuse([LinkDown], [Prepare, Expose], Always, "the generator link was lost: waiting for it to come back"),
        Refuse([Resetting], [Prepare, Expose], Always, "a fault reset is running"),
        Refuse(Any, [Prepare, Expose], LinkIsDown, "the generator link is down"),
        Go([Idle], [Prepare], Always, Preparing, TakeKind, SendPrepare),
        Go([Idle], [Expose], Always, PreparingToExpose, TakeKind, SendPrepare),
        Go([Preparing, PreparingToExpose], [Prepare], SameKind, null),
        Go([Preparing, PreparingToExpose], [Expose], SameKind, PreparingToExpose),
        Refuse([Preparing, PreparingToExpose], [Prepare, Expose], Always, "preparing another kind"),
        Go([Ready], [Prepare], SameKind, null),
        Go([Ready], [Prepare], Always, Preparing, TakeKind, SendPrepare),
        Go([Ready], [Expose], SameKind, Exposing, None, SendExposeOn, ArmHoldLimit),
        Go([Ready], [Expose], Always, PreparingToExpose, TakeKind, SendPrepare),
        Refuse([Exposing], [Prepare, Expose], Always, "already exposing"),
        Refuse([Stopping], [Prepare, Expose], Always, "the last exposure is still stopping"),
        Go([Preparing], [GeneratorReady], Always, Ready),
        Go([PreparingToExpose], [GeneratorReady], Always, Exposing, None, SendExposeOn, ArmHoldLimit),
        Go([Preparing, PreparingToExpose, Ready], [GeneratorIdle], Always, Idle, ClearKind),
        Go([Stopping], [GeneratorIdle], Always, Idle, ClearKind | EmissionOff),
    ];

    private static ExposureRule Go(ExposurePhase[]? from, ExposureTrigger[] on, ExposureGuard when, ExposurePhase? to,
        ExposureEffect effects = None, params ExposureAction[] actions) => new(from, on, when, to, effects, actions);

    private static ExposureRule Refuse(ExposurePhase[]? from, ExposureTrigger[] on, ExposureGuard when, string why) =>
        new(from, on, when, null, None, [], why);

    /// <summary>The table as docs/firmware-bridge.md prints it.</summary>
    public static string ToMarkdown()
    {
        var text = new StringBuilder();
        text.AppendLine("| # | in | on | when | goes to | also | actions |");
        text.AppendLine("| --- | --- | --- | --- | --- | --- | --- |");
        for (int i = 0; i < Rules.Count; i++)
        {
            var r = Rules[i];
            string from = r.From is null ? "any" : string.Join(", ", r.From);
            string to = r.Refusal is { } why ? $"refused: {why}" : r.To?.ToString() ?? "(stays)";
            string effects = r.Effects == None ? "" : r.Effects.ToString();
            string guard = r.Guard == Always ? "" : r.Guard.ToString();
            text.AppendLine($"| {i + 1} | {from} | {string.Join(", ", r.Triggers)} | {guard} | {to} | {effects} | {string.Join(", ", r.Actions)} |");
        }
        return text.ToString();
    }
}
