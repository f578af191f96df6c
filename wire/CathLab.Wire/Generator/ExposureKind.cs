namespace CathLab.Wire.Generator;

/// <summary>What an exposure is for; it decides which dose-rate limit applies.</summary>
public enum ExposureKind : byte
{
    Fluoro = 1,
    Cine = 2,
    HighLevelFluoro = 3,
}
