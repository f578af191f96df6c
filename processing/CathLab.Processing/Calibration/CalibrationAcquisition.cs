using CathLab.Processing.Frames;

namespace CathLab.Processing.Calibration;

/// <summary>Builds <see cref="CalibrationData"/> from frames acquired from the detector: dark frames
/// (no exposure) and flood frames (uniform exposure, no object). Pixels whose dark level or flood
/// response is far from their peers are marked defective.</summary>
public sealed class CalibrationAcquisition
{
    private readonly double[] _darkSum;
    private readonly double[] _floodSum;

    public CalibrationAcquisition(FrameGeometry geometry)
    {
        geometry.Validate();
        Geometry = geometry;
        _darkSum = new double[geometry.PixelCount];
        _floodSum = new double[geometry.PixelCount];
    }

    public FrameGeometry Geometry { get; }

    public int DarkFrames { get; private set; }

    public int FloodFrames { get; private set; }

    /// <summary>Relative deviation of a pixel's flood response from the median beyond which it is defective.</summary>
    public double ResponseTolerance { get; init; } = 0.5;

    /// <summary>Dark level above the median dark level, in LSB, beyond which a pixel is defective (hot).</summary>
    public double DarkTolerance { get; init; } = 500;

    public void AddDark(ReadOnlySpan<ushort> frame)
    {
        Geometry.RequireLength(frame.Length, nameof(frame));
        for (int i = 0; i < frame.Length; i++) _darkSum[i] += frame[i];
        DarkFrames++;
    }

    public void AddFlood(ReadOnlySpan<ushort> frame)
    {
        Geometry.RequireLength(frame.Length, nameof(frame));
        for (int i = 0; i < frame.Length; i++) _floodSum[i] += frame[i];
        FloodFrames++;
    }

    /// <summary>Builds the calibration; <paramref name="knownDefects"/> (e.g. from the vendor) are added to those found.</summary>
    public CalibrationData Build(DefectMap? knownDefects = null)
    {
        if (DarkFrames == 0) throw new InvalidOperationException("no dark frames acquired");
        if (FloodFrames == 0) throw new InvalidOperationException("no flood frames acquired");
        int n = Geometry.PixelCount;
        var dark = new float[n];
        var response = new double[n];
        for (int i = 0; i < n; i++)
        {
            dark[i] = (float)(_darkSum[i] / DarkFrames);
            response[i] = _floodSum[i] / FloodFrames - _darkSum[i] / DarkFrames;
        }
        double medianResponse = Median(response);
        double medianDark = Median(Array.ConvertAll(dark, d => (double)d));
        if (medianResponse <= 1) throw new InvalidOperationException($"flood frames are not brighter than dark frames (median response {medianResponse:F1} LSB)");

        var defects = new DefectMap(Geometry);
        if (knownDefects is not null)
            foreach (var i in knownDefects.DefectiveIndices()) defects.AddPixel(i % Geometry.Width, i / Geometry.Width);
        double meanResponse = 0;
        int good = 0;
        for (int i = 0; i < n; i++)
        {
            bool bad = Math.Abs(response[i] / medianResponse - 1) > ResponseTolerance || dark[i] - medianDark > DarkTolerance;
            if (bad) defects.AddPixel(i % Geometry.Width, i / Geometry.Width);
            else if (!defects.IsDefective(i % Geometry.Width, i / Geometry.Width)) { meanResponse += response[i]; good++; }
        }
        meanResponse /= Math.Max(good, 1);
        var gain = new float[n];
        for (int i = 0; i < n; i++)
            gain[i] = defects.IsDefective(i % Geometry.Width, i / Geometry.Width) ? 0f : (float)(meanResponse / response[i]);
        return new CalibrationData(Geometry, dark, gain, defects);
    }

    private static double Median(double[] values)
    {
        var copy = (double[])values.Clone();
        Array.Sort(copy);
        return copy[copy.Length / 2];
    }
}
