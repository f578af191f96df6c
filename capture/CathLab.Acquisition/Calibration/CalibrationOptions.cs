using CathLab.Acquisition.Configuration;

namespace CathLab.Acquisition.Calibration;

/// <summary>Detector calibration (section Station:Calibration; docs/calibration.md): where calibrations are kept, how
/// old one may be, when the offset is refreshed, how the gain and defect procedure exposes, and the constancy limits.</summary>
public sealed class CalibrationOptions : IOptionsSection
{
    public const string Section = "Calibration";

    /// <summary>Folder of the calibration files (one per detector mode and bits stored) and the constancy history.</summary>
    public string Folder { get; set; } = "calibration";

    /// <summary>A gain calibration older than this is shown as a warning (acquisition stays allowed).</summary>
    public double IntervalDays { get; set; } = 30;

    /// <summary>Dark frames averaged for an offset map (at start, between runs, on request, and in the procedure).</summary>
    public int DarkFrames { get; set; } = 16;

    /// <summary>Between runs the offset is refreshed once the detector has been idle (no exposure) this long...</summary>
    public double OffsetIdleSeconds { get; set; } = 60;

    /// <summary>...and the offset in force is older than this; 0 turns the refresh between runs off.</summary>
    public double OffsetRefreshSeconds { get; set; } = 600;

    /// <summary>Flood frames the procedure exposes; the last <see cref="HeldOutFloodFrames"/> are kept out of the gain map
    /// and measure the new calibration (its baseline constancy figures).</summary>
    public int FloodFrames { get; set; } = 16;

    public int HeldOutFloodFrames { get; set; } = 2;

    /// <summary>Flood frames of a constancy check.</summary>
    public int CheckFrames { get; set; } = 4;

    /// <summary>Pulse rate of the flood exposures (a cine exposure under automatic dose control).</summary>
    public double FloodPulseRate { get; set; } = 7.5;

    /// <summary>Frames at the start of a flood exposure left out while automatic dose control settles.</summary>
    public int SettleFrames { get; set; } = 6;

    /// <summary>The raw flood's block means may spread at most this much (max − min over the mean, percent) before the
    /// flood is refused as not uniform (no attenuator, something in the beam, collimated).</summary>
    public double FloodMaxRangePercent { get; set; } = 30;

    /// <summary>Defect criteria (see DefectCriteria).</summary>
    public double ResponseTolerance { get; set; } = 0.3;
    public double DarkToleranceOfFullScale { get; set; } = 0.03;
    public double NoiseFactor { get; set; } = 4;
    public double LineFraction { get; set; } = 0.25;

    /// <summary>Constancy limits: corrected-flood non-uniformity at most this (percent).</summary>
    public double MaxNonUniformityPercent { get; set; } = 1.0;

    /// <summary>Noise at most this many percent above the calibration's baseline.</summary>
    public double MaxNoiseIncreasePercent { get; set; } = 20;

    /// <summary>SNR² per dose at least this fraction of the baseline.</summary>
    public double MinSnrPerDoseRatio { get; set; } = 0.8;

    /// <summary>Defective pixels at most this many more than the calibration found.</summary>
    public int MaxNewDefects { get; set; } = 100;

    public IEnumerable<string> Problems(string at)
    {
        if (string.IsNullOrWhiteSpace(Folder)) yield return $"{at}:Folder must not be empty";
        if (!(IntervalDays is > 0 and <= 3650)) yield return $"{at}:IntervalDays {IntervalDays} must be in (0, 3650]";
        if (DarkFrames is < 1 or > 64) yield return $"{at}:DarkFrames {DarkFrames} must be 1–64 (the frame link's request limit)";
        if (!(OffsetIdleSeconds is >= 1 and <= 86_400)) yield return $"{at}:OffsetIdleSeconds {OffsetIdleSeconds} must be 1–86400";
        if (!(OffsetRefreshSeconds is >= 0 and <= 86_400)) yield return $"{at}:OffsetRefreshSeconds {OffsetRefreshSeconds} must be 0–86400";
        if (FloodFrames is < 4 or > 256) yield return $"{at}:FloodFrames {FloodFrames} must be 4–256";
        if (HeldOutFloodFrames < 2 || HeldOutFloodFrames > FloodFrames - 2) yield return $"{at}:HeldOutFloodFrames {HeldOutFloodFrames} must be 2 to FloodFrames − 2";
        if (CheckFrames is < 2 or > 64) yield return $"{at}:CheckFrames {CheckFrames} must be 2–64";
        if (!(FloodPulseRate is >= 0.5 and <= 30)) yield return $"{at}:FloodPulseRate {FloodPulseRate} must be 0.5–30 pulses/s";
        if (SettleFrames is < 0 or > 60) yield return $"{at}:SettleFrames {SettleFrames} must be 0–60";
        if (!(FloodMaxRangePercent is > 0 and <= 100)) yield return $"{at}:FloodMaxRangePercent {FloodMaxRangePercent} must be in (0, 100]";
        if (!(MaxNonUniformityPercent is > 0 and <= 100)) yield return $"{at}:MaxNonUniformityPercent {MaxNonUniformityPercent} must be in (0, 100]";
        if (!(MaxNoiseIncreasePercent is >= 0 and <= 1000)) yield return $"{at}:MaxNoiseIncreasePercent {MaxNoiseIncreasePercent} must be 0–1000";
        if (!(MinSnrPerDoseRatio is > 0 and <= 1)) yield return $"{at}:MinSnrPerDoseRatio {MinSnrPerDoseRatio} must be in (0, 1]";
        if (MaxNewDefects < 0) yield return $"{at}:MaxNewDefects {MaxNewDefects} must not be negative";
        string? criteria = null;
        try
        {
            Criteria.Validate();
        }
        catch (ArgumentOutOfRangeException e)
        {
            criteria = $"{at}:{e.ParamName} {e.ActualValue}: {e.Message.Split(" (Parameter")[0]}";
        }
        if (criteria is not null) yield return criteria;
    }

    public Calibration.DefectCriteria Criteria => new()
    {
        ResponseTolerance = ResponseTolerance,
        DarkToleranceOfFullScale = DarkToleranceOfFullScale,
        NoiseFactor = NoiseFactor,
        LineFraction = LineFraction,
    };
}
