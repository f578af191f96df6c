namespace CathLab.Dicom.Iods.Xa;

/// <summary>Pixel Intensity Relationship (0028,1040): pixels proportional to X-ray intensity, to its log, or display-ready.</summary>
public enum PixelIntensity
{
    Lin,
    Log,
    Disp,
}
