using CathLab.Wire.Generator;

namespace CathLab.Sims.Generator;

/// <summary>One X-ray pulse as the simulated tube really delivered it.</summary>
/// <param name="PulseId">Counts pulses since the generator started, from 1.</param>
/// <param name="TimestampMicroseconds">When the pulse started, on the simulator's monotonic clock.</param>
/// <param name="AirKermaMicroGray">Air kerma of this pulse at the interventional reference point.</param>
public readonly record struct DeliveredPulse(
    uint PulseId,
    long TimestampMicroseconds,
    Technique Technique,
    ExposureKind Kind,
    double AirKermaMicroGray);

/// <summary>Something that sees every pulse the simulated generator delivers (the detector).</summary>
public interface IPulseObserver
{
    void OnPulse(in DeliveredPulse pulse);
}

/// <summary>The tube's output: air kerma at the reference point for one pulse of a technique.</summary>
public interface ITubeOutput
{
    double AirKermaMicroGray(in Technique technique);
}
