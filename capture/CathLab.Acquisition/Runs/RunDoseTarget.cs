using CathLab.Acquisition.Protocols;
using CathLab.FirmwareBridge.Abc;

namespace CathLab.Acquisition.Runs;

/// <summary>What the automatic dose control aims at for each kind of run: the detector signal per frame (mean brightness
/// in the measuring field). Fluoro is for positioning and runs at the lowest dose per frame that shows the wire; cine is
/// recorded for diagnosis and needs about four times that signal (half the quantum noise); DSA subtracts two frames,
/// which adds their noise, and needs about six times, still well below the detector's full scale (16383 LSB at
/// 14 bits), so that the brighter parts of the field do not clip. The dose per frame follows the signal.</summary>
public static class RunDoseTarget
{
    public const double FluoroBrightness = 1500;
    public const double CineBrightness = 4 * FluoroBrightness;
    public const double DsaBrightness = 6 * FluoroBrightness;

    public static AbcOptions For(RunKind kind) => new()
    {
        TargetBrightness = kind switch
        {
            RunKind.Fluoro => FluoroBrightness,
            RunKind.Cine => CineBrightness,
            RunKind.Dsa => DsaBrightness,
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown run kind"),
        },
    };
}
