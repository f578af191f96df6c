using CathLab.Acquisition.Configuration;

namespace CathLab.Acquisition.Sources;

/// <summary>Where frames come from: the detector's TCP frame link, or a V4L2 capture card (or a video file).</summary>
public enum DetectorSource { FrameLink, VideoCapture }

/// <summary>The detector and its frame source (section Station:Detector).</summary>
public sealed class DetectorOptions : IOptionsSection
{
    public const string Section = "Detector";
    public const int MinBitsStored = 8, MaxBitsStored = 16;

    public DetectorSource Source { get; set; } = DetectorSource.FrameLink;
    public string Host { get; set; } = "127.0.0.1";
    public int Port { get; set; } = 5600;

    /// <summary>For VideoCapture: a device path such as /dev/video0, or a video file.</summary>
    public string Device { get; set; } = "";

    /// <summary>Frame side in pixels: 1024 (full readout) or 512 (binned).</summary>
    public int Size { get; set; } = 1024;

    /// <summary>Bits stored per pixel (in 16-bit pixels); an 8-bit analogue camera behind a capture card gives 8.</summary>
    public int BitsStored { get; set; } = 14;

    /// <summary>The pixel spacing at the detector's front plane for frames of <see cref="Size"/> (mm): recorded runs carry
    /// it as Imager Pixel Spacing, and distances measured on them are in mm. Unset: no calibration, distances in pixels.</summary>
    public double? ImagerPixelSpacingMm { get; set; }

    public IEnumerable<string> Problems(string at)
    {
        if (!Enum.IsDefined(Source)) yield return $"{at}:Source '{Source}' must be {OptionsChecks.Names<DetectorSource>()}";
        if (Source == DetectorSource.FrameLink)
        {
            if (string.IsNullOrWhiteSpace(Host)) yield return $"{at}:Host is required for the frame link";
            if (!OptionsChecks.IsPort(Port)) yield return $"{at}:Port {Port} must be 1–65535";
        }
        else if (Source == DetectorSource.VideoCapture && string.IsNullOrWhiteSpace(Device))
        {
            yield return $"{at}:Device is required for VideoCapture (e.g. /dev/video0)";
        }
        if (Size is not (512 or 1024)) yield return $"{at}:Size {Size} must be 1024 or 512";
        if (ImagerPixelSpacingMm is { } pitch && !(pitch > 0 && pitch < 10)) yield return $"{at}:ImagerPixelSpacingMm {pitch} must be above 0 and below 10";
        if (BitsStored is < MinBitsStored or > MaxBitsStored) yield return $"{at}:BitsStored {BitsStored} must be {MinBitsStored}–{MaxBitsStored}";
    }
}
