using CathLab.Wire.Generator;

namespace CathLab.Acquisition.Protocols;

/// <summary>What a run is for: live positioning, a recorded run, or a recorded subtracted run.</summary>
public enum RunKind
{
    Fluoro,
    Cine,
    Dsa,
}

/// <summary>One phase of a run at one pulse rate; a run without a duration lasts while the pedal is held.</summary>
public sealed record AcquisitionPhase(string Name, double PulseRate, TimeSpan? Duration = null);

/// <summary>An acquisition protocol the technician picks: the kind of run, its phases and rates, and for DSA the
/// pre-contrast frames that make the mask.</summary>
public sealed record AcquisitionProtocol(string Name, string Description, RunKind Kind, IReadOnlyList<AcquisitionPhase> Phases, int MaskFrames = 0)
{
    /// <summary>Body Part Examined (0018,0015) of the run's series, a defined term of PS3.16 CID 4031.</summary>
    public string BodyPart { get; init; } = "HEART";

    public bool Recorded => Kind != RunKind.Fluoro;

    public ExposureKind ExposureKind => Kind == RunKind.Fluoro ? Wire.Generator.ExposureKind.Fluoro : Wire.Generator.ExposureKind.Cine;

    /// <summary>Why this protocol cannot run on a generator with <paramref name="capabilities"/>, or null when it can.</summary>
    public string? Violation(GeneratorCapabilities capabilities)
    {
        if (Phases.Count == 0) return $"protocol '{Name}' has no phase";
        foreach (var phase in Phases)
        {
            if (!capabilities.PulseRate.Contains(phase.PulseRate))
                return $"protocol '{Name}' phase '{phase.Name}': {phase.PulseRate} pulses/s outside the generator's {capabilities.PulseRate}";
            if (phase.Duration is { } d && d <= TimeSpan.Zero)
                return $"protocol '{Name}' phase '{phase.Name}': duration must be positive";
        }
        if (Kind == RunKind.Dsa && MaskFrames < 1) return $"protocol '{Name}': a DSA run needs at least one mask frame";
        if (Kind != RunKind.Dsa && MaskFrames != 0) return $"protocol '{Name}': only DSA runs take mask frames";
        if (!capabilities.Kinds.Contains(ExposureKind)) return $"protocol '{Name}': the generator cannot expose {ExposureKind}";
        return null;
    }
}
