using CathLab.FirmwareBridge.Link;
using CathLab.Wire.Generator;

namespace CathLab.FirmwareBridge.Exposure;

/// <summary>What the generator's events and the link's state changes mean to the exposure machine.</summary>
public static class GeneratorEventInputs
{
    /// <summary>The input an event feeds the machine, or null when exposure control does not act on it.</summary>
    public static ExposureInput? For(GeneratorEvent e) => e switch
    {
        StateChangedEvent { State: GeneratorState.Ready } => new(ExposureTrigger.GeneratorReady, InputSource.Generator),
        StateChangedEvent { State: GeneratorState.Idle } => new(ExposureTrigger.GeneratorIdle, InputSource.Generator),
        ExposureStartedEvent started => new(ExposureTrigger.GeneratorExposureStarted, InputSource.Generator, started.Setting.Kind),
        ExposureEndedEvent ended => new(ExposureTrigger.GeneratorExposureEnded, InputSource.Generator, Detail: $"{ended.Reason} after {ended.Pulses} pulses"),
        FaultEvent fault => new(ExposureTrigger.GeneratorFault, InputSource.Generator, Detail: $"{fault.Code}: {fault.Text}"),
        PulseEvent pulse => new(ExposureTrigger.GeneratorPulse, InputSource.Generator, pulse.Kind, Detail: $"pulse {pulse.PulseId}"),
        EventsLostEvent lost => EventsLost(lost.Count),
        _ => null,
    };

    /// <summary>The generator's event backlog overflowed: <paramref name="count"/> events never reached the station.</summary>
    public static ExposureInput EventsLost(uint count) =>
        new(ExposureTrigger.GeneratorEventsLost, InputSource.Generator, Detail: $"{count} generator events lost: emission unknown until the status is read");

    public static ExposureInput? For(LinkState state, string why) => state switch
    {
        LinkState.Down => new(ExposureTrigger.LinkLost, InputSource.Link, Detail: why),
        LinkState.Connected => new(ExposureTrigger.LinkUp, InputSource.Link, Detail: why),
        _ => null,
    };
}
