namespace CathLab.Dicom.Iods.Xa;

/// <summary>The contrast agent given during the run (Contrast/Bolus module, C.7.6.4). Volume in ml when known.</summary>
public sealed record ContrastInjection(string Agent, string Route = "INTRA-ARTERIAL")
{
    public double? VolumeMl { get; init; }
}
