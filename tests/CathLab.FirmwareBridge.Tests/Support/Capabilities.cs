using CathLab.Wire.Generator;

namespace CathLab.FirmwareBridge.Tests.Support;

public static class TestCapabilities
{
    /// <summary>The simulator's default capabilities.</summary>
    public static GeneratorCapabilities Default { get; } = new(
        Kv: new FactorRange(40, 125),
        Ma: new FactorRange(1, 1000),
        PulseWidthMs: new FactorRange(4, 10),
        CinePulseWidthMaxMs: 20,
        PulseRate: new FactorRange(0.5, 60),
        Kinds: new HashSet<ExposureKind> { ExposureKind.Fluoro, ExposureKind.Cine, ExposureKind.HighLevelFluoro },
        HeartbeatWindowMs: 150,
        HeatCapacityUnits: 1_500_000,
        MaxPowerKw: 100);
}
