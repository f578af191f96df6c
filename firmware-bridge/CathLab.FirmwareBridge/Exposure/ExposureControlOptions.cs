using CathLab.Wire.Generator;

namespace CathLab.FirmwareBridge.Exposure;

/// <summary>Limits of exposure control that a site configures.</summary>
public sealed record ExposureControlOptions
{
    /// <summary>The longest fluoro (or high-level fluoro) exposure one press may hold; then the station stops it and the
    /// operator presses again. Null: no limit. Cine runs are bounded by their protocol and the recorder instead.</summary>
    public TimeSpan? MaxFluoroHold { get; init; } = TimeSpan.FromMinutes(2);

    public const double MinFluoroHoldSeconds = 5;
    public const double MaxFluoroHoldSeconds = 600;

    public TimeSpan? MaxHold(ExposureKind? kind) => kind is ExposureKind.Fluoro or ExposureKind.HighLevelFluoro ? MaxFluoroHold : null;
}
