using CathLab.Acquisition.Configuration;
using CathLab.FirmwareBridge.Exposure;

namespace CathLab.Station.Hardware;

/// <summary>Exposure control: the held pedal's lease and the longest one press may hold fluoro (section Station:Exposure).</summary>
public sealed class ExposureOptions : IOptionsSection
{
    public const string Section = "Exposure";
    public const int MinPedalLeaseMs = 100, MaxPedalLeaseMs = 2000;

    /// <summary>A held pedal stream (console, browser) is released when no renewal arrives for this long.</summary>
    public int PedalLeaseMs { get; set; } = 300;

    /// <summary>Fluoro held longer than this by one press is stopped by the station; the operator presses again.</summary>
    public double MaxFluoroHoldSeconds { get; set; } = 120;

    /// <summary>A hardware foot switch box on a serial line; off unless its port is set.</summary>
    public FootSwitchOptions FootSwitch { get; set; } = new();

    public IEnumerable<string> Problems(string at)
    {
        foreach (var problem in FootSwitch.Problems($"{at}:FootSwitch")) yield return problem;
        if (PedalLeaseMs is < MinPedalLeaseMs or > MaxPedalLeaseMs) yield return $"{at}:PedalLeaseMs {PedalLeaseMs} must be {MinPedalLeaseMs}–{MaxPedalLeaseMs}";
        if (!(MaxFluoroHoldSeconds is >= ExposureControlOptions.MinFluoroHoldSeconds and <= ExposureControlOptions.MaxFluoroHoldSeconds))
            yield return $"{at}:MaxFluoroHoldSeconds {MaxFluoroHoldSeconds} must be {ExposureControlOptions.MinFluoroHoldSeconds}–{ExposureControlOptions.MaxFluoroHoldSeconds}";
    }
}
