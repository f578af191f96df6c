namespace CathLab.Sims.Physics;

/// <summary>The constants of the simulated X-ray chain; docs/simulator-physics.md explains each.</summary>
public sealed record XRayPhysicsOptions
{
    /// <summary>Tube output in µGy per mAs at 1 m, divided by kV²: 0.0078 gives about 50 µGy/mAs at 80 kV.</summary>
    public double OutputMicroGrayPerMasPerKv2AtOneMetre { get; init; } = 0.0078;

    /// <summary>Distance from the focal spot to the isocentre (cm).</summary>
    public double SourceToIsocentreCm { get; init; } = 75;

    /// <summary>The interventional reference point lies this far from the isocentre towards the source (cm).</summary>
    public double ReferencePointOffsetCm { get; init; } = 15;

    /// <summary>Distance from the focal spot to the detector (cm).</summary>
    public double SourceToImageCm { get; init; } = 100;

    /// <summary>Effective linear attenuation of water at 70 kV (1/cm), broad beam, hardened.</summary>
    public double WaterMuAt70KvPerCm { get; init; } = 0.20;

    /// <summary>Exponent of the fall of μ with kV: μ(kV) = μ70·(70/kV)^p.</summary>
    public double WaterMuKvExponent { get; init; } = 0.5;

    /// <summary>Attenuation of a fully opacified vessel (diluted iodine in blood) at 70 kV (1/cm).</summary>
    public double IodineMuAt70KvPerCm { get; init; } = 2.0;

    public double IodineMuKvExponent { get; init; } = 1.5;

    /// <summary>Attenuation of lead at 70 kV (1/cm); 1 mm transmits about 0.25 %.</summary>
    public double LeadMuAt70KvPerCm { get; init; } = 60;

    public double LeadMuKvExponent { get; init; } = 2.5;

    /// <summary>X-ray photons per mm² per µGy of air kerma (about 30 000 for an RQA5-like beam).</summary>
    public double QuantaPerMm2PerMicroGray { get; init; } = 30_000;

    /// <summary>Fraction of incident photons the scintillator absorbs.</summary>
    public double AbsorptionEfficiency { get; init; } = 0.65;

    /// <summary>Pixel pitch in the 1024×1024 mode (mm); the 512 mode bins 2×2.</summary>
    public double PixelPitchMm { get; init; } = 0.2;

    /// <summary>Detector air kerma per pixel (µGy, full-resolution pixel) that reaches the top of the range.</summary>
    public double SaturationMicroGray { get; init; } = 2.0;

    /// <summary>Electronic (read) noise, expressed in detected quanta.</summary>
    public double ElectronicNoiseQuanta { get; init; } = 2.0;

    /// <summary>Mean dark offset as a fraction of full scale.</summary>
    public double OffsetFractionOfFullScale { get; init; } = 0.006;

    /// <summary>Scatter and leakage reaching the detector outside the collimated field, as a fraction of the open-field signal.</summary>
    public double OutsideCollimationFraction { get; init; } = 0.02;
}
