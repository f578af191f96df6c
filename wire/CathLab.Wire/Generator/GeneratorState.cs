namespace CathLab.Wire.Generator;

public enum GeneratorState : byte
{
    Idle = 0,
    Preparing = 1,
    Ready = 2,
    Exposing = 3,
    Fault = 4,
}

public enum FaultCode : byte
{
    None = 0,
    HeartbeatLost = 1,
    Arc = 2,
    InterlockOpen = 3,
    OverTemperature = 4,
}

/// <summary>Why an exposure ended (in the ExposureEnded event).</summary>
public enum ExposureEndReason : byte
{
    Released = 1,
    HeartbeatLost = 2,
    Fault = 3,
    TubeHot = 4,
    InterlockOpen = 5,
}
