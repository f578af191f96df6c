namespace CathLab.Sims.Phantom;

/// <summary>What the simulated patient looks like.</summary>
public enum PhantomPreset
{
    /// <summary>Chest: lungs, spine, heart shadow, a left and right coronary tree with cardiac motion.</summary>
    Coronary,

    /// <summary>Thigh: soft tissue, femur, femoral artery with the profunda and muscular branches; no cardiac motion.</summary>
    Peripheral,

    /// <summary>A uniform water slab with no vessels: the quality-assurance phantom.</summary>
    WaterSlab,
}

/// <summary>A block of lead lying on the patient, in fractions of the 1024-pixel field (0..1).</summary>
public sealed record LeadObject(double CentreX, double CentreY, double Width, double Height, double ThicknessMm = 1.0);

/// <summary>The simulated patient and its physiology.</summary>
public sealed record PhantomOptions
{
    public PhantomPreset Preset { get; init; } = PhantomPreset.Coronary;

    /// <summary>Water-equivalent thickness of the patient along the beam, 15..35 cm.</summary>
    public double WaterThicknessCm { get; init; } = 20;

    /// <summary>Heart rate driving the vessels' cardiac motion; 0 freezes it.</summary>
    public double HeartRateBpm { get; init; } = 70;

    /// <summary>Peak cardiac displacement of the coronary tree, in full-resolution pixels.</summary>
    public double CardiacAmplitudePixels { get; init; } = 12;

    /// <summary>Breathing period; the whole thorax shifts vertically with it.</summary>
    public double RespiratoryPeriodSeconds { get; init; } = 4;

    /// <summary>Peak respiratory shift in full-resolution pixels; 0 is a breath hold.</summary>
    public double RespiratoryAmplitudePixels { get; init; } = 10;

    /// <summary>Seconds from the injection to the bolus reaching the field.</summary>
    public double BolusArrivalSeconds { get; init; } = 1.0;

    /// <summary>Seconds from arrival to peak opacification.</summary>
    public double BolusTimeToPeakSeconds { get; init; } = 1.5;

    /// <summary>Gamma-variate shape: larger values wash out faster after the peak.</summary>
    public double BolusShape { get; init; } = 3.0;

    public IReadOnlyList<LeadObject> LeadObjects { get; init; } = [];

    public int Seed { get; init; } = 1;

    public void Validate()
    {
        if (WaterThicknessCm is < 15 or > 35)
        {
            throw new ArgumentOutOfRangeException(nameof(WaterThicknessCm), WaterThicknessCm, "patient thickness must be 15..35 cm water-equivalent");
        }
        if (HeartRateBpm is < 0 or > 250 || CardiacAmplitudePixels is < 0 or > PhantomWorld.MotionMarginPixels / 2
            || RespiratoryAmplitudePixels is < 0 or > PhantomWorld.MotionMarginPixels / 2 || RespiratoryPeriodSeconds <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(HeartRateBpm), "motion settings out of range");
        }
        if (BolusArrivalSeconds < 0 || BolusTimeToPeakSeconds <= 0 || BolusShape <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(BolusShape), "bolus timing out of range");
        }
        foreach (var lead in LeadObjects)
        {
            if (lead.Width <= 0 || lead.Height <= 0 || lead.ThicknessMm <= 0)
            {
                throw new ArgumentOutOfRangeException(nameof(LeadObjects), lead, "lead object must have a positive size and thickness");
            }
        }
    }
}
