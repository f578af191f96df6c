using CathLab.Processing.Frames;

namespace CathLab.Acquisition.Calibration;

/// <summary>The station's calibrations, one file per detector mode and bits stored
/// (<c>detector-1024-14bit.clcal</c>) in one folder. A new calibration replaces the old one atomically (written beside
/// it, flushed, renamed over it); the one it replaced is kept as <c>.previous</c>.</summary>
public sealed class CalibrationStore(string folder)
{
    public const string Extension = ".clcal";

    public string Folder { get; } = Path.GetFullPath(folder);

    public string PathFor(FrameGeometry geometry) => Path.Combine(Folder, $"detector-{geometry.Width}-{geometry.BitsStored}bit{Extension}");

    public void Save(StoredCalibration calibration)
    {
        Directory.CreateDirectory(Folder);
        string path = PathFor(calibration.Data.Geometry);
        string partial = path + ".partial";
        using (var file = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            file.Write(CalibrationFile.Write(calibration));
            file.Flush(flushToDisk: true);
        }
        if (File.Exists(path)) File.Copy(path, path + ".previous", overwrite: true);
        File.Move(partial, path, overwrite: true);
    }

    /// <summary>The calibration for <paramref name="geometry"/> (the detector mode in use): loaded, or why not. A file for
    /// another mode is never applied; it is named in the warning when there is none for this one.</summary>
    public CalibrationLoad Load(FrameGeometry geometry)
    {
        string path = PathFor(geometry);
        string mode = $"{geometry.Width}x{geometry.Height}, {geometry.BitsStored} bits";
        if (!File.Exists(path))
        {
            var others = Directory.Exists(Folder) ? Directory.GetFiles(Folder, "*" + Extension).Select(Path.GetFileName).ToList() : [];
            string found = others.Count == 0 ? "" : $" ({string.Join(", ", others)} is for another mode and is not applied)";
            return CalibrationLoad.Missing($"no detector calibration for {mode} in {Folder}{found}: images are not gain or defect corrected; run the calibration");
        }
        StoredCalibration stored;
        try
        {
            stored = CalibrationFile.Read(File.ReadAllBytes(path));
        }
        catch (InvalidDataException e)
        {
            return CalibrationLoad.Missing($"the detector calibration {path} was refused: {e.Message}; images are not gain or defect corrected; run the calibration again");
        }
        catch (IOException e)
        {
            return CalibrationLoad.Missing($"the detector calibration {path} could not be read: {e.Message}; images are not gain or defect corrected");
        }
        if (stored.Data.Geometry != geometry)
            return CalibrationLoad.Missing($"the detector calibration {path} is for {stored.Record.Side}x{stored.Record.Side}, {stored.Record.BitsStored} bits, not the mode in use ({mode}): not applied");
        return new CalibrationLoad(stored, null);
    }
}

/// <summary>A loaded calibration, or the warning that says why there is none.</summary>
public sealed record CalibrationLoad(StoredCalibration? Calibration, string? Warning)
{
    public static CalibrationLoad Missing(string warning) => new(null, warning);
}
