using CathLab.Sims.Generator;
using CathLab.Wire.Generator;

namespace CathLab.Sims.Physics;

/// <summary>Tube output, attenuation and detector response of the simulated X-ray chain
/// (formulas in docs/simulator-physics.md). Pure functions of the technique; thread-safe.</summary>
public sealed class XRayPhysics : ITubeOutput
{
    public XRayPhysics(XRayPhysicsOptions? options = null, int bitsStored = 14)
    {
        if (bitsStored is < 10 or > 16)
        {
            throw new ArgumentOutOfRangeException(nameof(bitsStored), bitsStored, "bits stored must be 10..16");
        }
        Options = options ?? new XRayPhysicsOptions();
        BitsStored = bitsStored;
        FullScale = (1 << bitsStored) - 1;
        MeanOffsetLsb = Options.OffsetFractionOfFullScale * FullScale;
        double saturationQuanta = Options.SaturationMicroGray * QuantaPerMicroGrayPerPixel;
        LsbPerQuantum = (FullScale - MeanOffsetLsb) / saturationQuanta;
        ElectronicNoiseLsb = Options.ElectronicNoiseQuanta * LsbPerQuantum;
    }

    public XRayPhysicsOptions Options { get; }
    public int BitsStored { get; }
    public int FullScale { get; }
    public double MeanOffsetLsb { get; }
    public double LsbPerQuantum { get; }
    public double ElectronicNoiseLsb { get; }

    /// <summary>Detected quanta per full-resolution pixel per µGy of air kerma at the detector.</summary>
    public double QuantaPerMicroGrayPerPixel =>
        Options.QuantaPerMm2PerMicroGray * Options.PixelPitchMm * Options.PixelPitchMm * Options.AbsorptionEfficiency;

    /// <summary>Air kerma free in air at 1 m from the focal spot (µGy) for one pulse.</summary>
    public double AirKermaAtOneMetreMicroGray(in Technique technique) =>
        Options.OutputMicroGrayPerMasPerKv2AtOneMetre * technique.Kv * technique.Kv * technique.MilliampereSeconds;

    /// <summary>Air kerma of one pulse at the interventional reference point (inverse square from 1 m).</summary>
    public double AirKermaMicroGray(in Technique technique)
    {
        double distanceM = (Options.SourceToIsocentreCm - Options.ReferencePointOffsetCm) / 100.0;
        return AirKermaAtOneMetreMicroGray(technique) / (distanceM * distanceM);
    }

    /// <summary>Air kerma of one pulse at the detector with nothing in the beam (µGy).</summary>
    public double UnattenuatedDetectorKermaMicroGray(in Technique technique)
    {
        double distanceM = Options.SourceToImageCm / 100.0;
        return AirKermaAtOneMetreMicroGray(technique) / (distanceM * distanceM);
    }

    /// <summary>Mean detected quanta in a pixel with nothing in the beam; <paramref name="binning"/> is 1 or 2.</summary>
    public double UnattenuatedQuantaPerPixel(in Technique technique, int binning) =>
        UnattenuatedDetectorKermaMicroGray(technique) * QuantaPerMicroGrayPerPixel * binning * binning;

    public double WaterMuPerCm(double kv) => Options.WaterMuAt70KvPerCm * Math.Pow(70.0 / kv, Options.WaterMuKvExponent);

    public double IodineMuPerCm(double kv) => Options.IodineMuAt70KvPerCm * Math.Pow(70.0 / kv, Options.IodineMuKvExponent);

    public double LeadMuPerCm(double kv) => Options.LeadMuAt70KvPerCm * Math.Pow(70.0 / kv, Options.LeadMuKvExponent);

    /// <summary>Mean detector value (LSB) behind <paramref name="waterCm"/> of water, before non-uniformity and noise.</summary>
    public double MeanSignalLsb(in Technique technique, double waterCm, int binning = 1) =>
        Math.Min(FullScale, MeanOffsetLsb + LsbPerQuantum * UnattenuatedQuantaPerPixel(technique, binning) * Math.Exp(-WaterMuPerCm(technique.Kv) * waterCm));
}
