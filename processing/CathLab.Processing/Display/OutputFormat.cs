namespace CathLab.Processing.Display;

public enum OutputFormat
{
    /// <summary>8-bit display frame by window and level, followed by the downscaled frame when asked.</summary>
    Gray8,

    /// <summary>16-bit frame through a 65536-entry lookup table.</summary>
    Lut16,
}
