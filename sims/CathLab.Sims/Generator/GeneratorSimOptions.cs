using CathLab.Wire.Generator;

namespace CathLab.Sims.Generator;

/// <summary>How the simulated generator behaves: its capabilities and the timing of its state machine.</summary>
public sealed record GeneratorSimOptions
{
    public string Model { get; init; } = "CathLab SimGen 125";
    public string Firmware { get; init; } = "sim-1.0";

    public GeneratorCapabilities Capabilities { get; init; } = new(
        Kv: new FactorRange(40, 125),
        Ma: new FactorRange(1, 1000),
        PulseWidthMs: new FactorRange(4, 10),
        CinePulseWidthMaxMs: 20,
        PulseRate: new FactorRange(0.5, 60),
        Kinds: new HashSet<ExposureKind> { ExposureKind.Fluoro, ExposureKind.Cine, ExposureKind.HighLevelFluoro },
        HeartbeatWindowMs: 250,
        HeatCapacityUnits: 1_500_000,
        MaxPowerKw: 100);

    /// <summary>Rotor spin-up and filament boost between Prepare and Ready.</summary>
    public TimeSpan PrepareTime { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Ready falls back to Idle after this long without an exposure.</summary>
    public TimeSpan ReadyHoldTime { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Time constant of the anode's exponential cooling.</summary>
    public TimeSpan CoolingTimeConstant { get; init; } = TimeSpan.FromSeconds(600);

    /// <summary>Exposure is refused and stopped above this fraction of heat capacity.</summary>
    public double HeatLimitFraction { get; init; } = 0.95;

    /// <summary>Relative spread of the measured kV and mA around the set values, as a real generator's read-back shows.</summary>
    public double MeasurementSpread { get; init; } = 0.005;

    public int Seed { get; init; } = 1;
}
