namespace CathLab.Acquisition.Calibration;

/// <summary>What a stored detector calibration is: when and for which detector mode it was made, and the figures of the
/// dark and flood frames that made it. Kept in the calibration file beside the maps, and as the baseline of the
/// constancy check.</summary>
public sealed record CalibrationRecord
{
    /// <summary>Names the calibration in logs, the control API and the recorded objects: mode, bits and UTC time.</summary>
    public required string Id { get; init; }

    /// <summary>When the gain and defect maps were made (the flood exposures).</summary>
    public required DateTimeOffset CalibratedAt { get; init; }

    /// <summary>Frame side: 1024 (full readout) or 512 (2×2 binned).</summary>
    public required int Side { get; init; }

    public required int BitsStored { get; init; }
    public int DarkFrames { get; init; }
    public int FloodFrames { get; init; }

    /// <summary>The flood technique as the generator reported it (means over the flood frames).</summary>
    public double FloodKv { get; init; }
    public double FloodMa { get; init; }
    public double FloodPulseWidthMs { get; init; }

    /// <summary>Air kerma at the reference point per flood frame, µGy.</summary>
    public double FloodAirKermaMicroGray { get; init; }

    /// <summary>Mean flood signal above the offset, LSB.</summary>
    public double FloodSignalLsb { get; init; }

    /// <summary>Non-uniformity of the uncorrected flood (<see cref="FloodUniformity"/>), percent.</summary>
    public double NonUniformityBeforePercent { get; init; }

    /// <summary>The baseline constancy figures: a held-out flood frame corrected with the new maps.</summary>
    public ConstancyFigures? Baseline { get; init; }

    public int DefectPixels { get; init; }
    public IReadOnlyList<int> DefectRows { get; init; } = [];
    public IReadOnlyList<int> DefectColumns { get; init; } = [];

    public static string IdFor(int side, int bitsStored, DateTimeOffset at) => $"{side}-{bitsStored}b-{at.UtcDateTime:yyyyMMdd'T'HHmm'Z'}";
}

/// <summary>The figures of one constancy measurement on corrected flood frames.</summary>
/// <param name="NonUniformityPercent">rms of the block means over their mean (<see cref="FloodUniformity"/>).</param>
/// <param name="NoisePercent">pixel noise over the mean signal, from the difference of two frames.</param>
/// <param name="SnrSquaredPerMicroGray">(signal / noise)² per µGy of reference air kerma per frame.</param>
/// <param name="DefectPixels">defective pixels found in the check's frames by the calibration's criteria.</param>
public sealed record ConstancyFigures(double NonUniformityPercent, double NoisePercent, double SnrSquaredPerMicroGray, int DefectPixels);
