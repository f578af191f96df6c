namespace CathLab.Sims.Detector;

/// <summary>Readout mode: full resolution or 2×2 binned.</summary>
public enum DetectorMode
{
    Full1024 = 1024,
    Binned512 = 512,
}

public static class DetectorModeExtensions
{
    public static int Side(this DetectorMode mode) => (int)mode;

    /// <summary>Full-resolution pixels per side of one readout pixel.</summary>
    public static int Binning(this DetectorMode mode) => mode == DetectorMode.Full1024 ? 1 : 2;

    public static DetectorMode FromSide(int side) => side switch
    {
        1024 => DetectorMode.Full1024,
        512 => DetectorMode.Binned512,
        _ => throw new ArgumentOutOfRangeException(nameof(side), side, "the detector reads 1024×1024 or 512×512"),
    };
}
