using CathLab.FirmwareBridge.Exposure;

namespace CathLab.Capture.Configuration;

/// <summary>Exposure control: the held pedal's lease and the longest one press may hold fluoro (section Station:Exposure).</summary>
public sealed class ExposureOptions : IOptionsSection
{
    public const string Section = "Exposure";
    public const int MinPedalLeaseMs = 100, MaxPedalLeaseMs = 2000;

    /// <summary>A held pedal stream (console, browser) is released when no renewal arrives for this long.</summary>
    public int PedalLeaseMs { get; set; } = 300;

    /// <summary>Fluoro held longer than this by one press is stopped by the station; the operator presses again.</summary>
    public double MaxFluoroHoldSeconds { get; set; } = 120;

    public IEnumerable<string> Problems(string at)
    {
        if (PedalLeaseMs is < MinPedalLeaseMs or > MaxPedalLeaseMs) yield return $"{at}:PedalLeaseMs {PedalLeaseMs} must be {MinPedalLeaseMs}–{MaxPedalLeaseMs}";
        if (!(MaxFluoroHoldSeconds is >= ExposureControlOptions.MinFluoroHoldSeconds and <= ExposureControlOptions.MaxFluoroHoldSeconds))
            yield return $"{at}:MaxFluoroHoldSeconds {MaxFluoroHoldSeconds} must be {ExposureControlOptions.MinFluoroHoldSeconds}–{ExposureControlOptions.MaxFluoroHoldSeconds}";
    }
}
