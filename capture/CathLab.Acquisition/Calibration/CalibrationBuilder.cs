using CathLab.Processing.Calibration;
using CathLab.Processing.Frames;

namespace CathLab.Acquisition.Calibration;

/// <summary>Builds the offset, gain and defect maps from dark and flood statistics by <see cref="DefectCriteria"/>:
/// offset = mean dark frame; a pixel is defective when its response, dark level or dark noise is out of bounds, a line
/// when too many of its pixels are; gain = mean good response / pixel response for every good pixel.</summary>
public sealed class CalibrationBuilder(FrameGeometry geometry, DefectCriteria criteria)
{
    public FrameGeometry Geometry { get; } = geometry;

    public DefectCriteria Criteria { get; } = criteria;

    public BuiltCalibration Build(PixelStatistics dark, PixelStatistics flood)
    {
        int n = Geometry.PixelCount, w = Geometry.Width, h = Geometry.Height;
        if (dark.Pixels != n || flood.Pixels != n) throw new ArgumentException("dark and flood statistics must have the calibration's frame size");
        if (dark.Frames == 0) throw new InvalidOperationException("no dark frames were acquired");
        if (flood.Frames == 0) throw new InvalidOperationException("no flood frames were acquired");
        var offset = new float[n];
        var response = new double[n];
        var noise = new double[n];
        for (int i = 0; i < n; i++)
        {
            offset[i] = (float)dark.Mean(i);
            response[i] = flood.Mean(i) - dark.Mean(i);
            noise[i] = Math.Sqrt(dark.Variance(i));
        }
        double medianResponse = Median(response);
        double medianDark = Median(Array.ConvertAll(offset, d => (double)d));
        double medianNoise = Median(noise);
        if (!(medianResponse > 1)) throw new CalibrationRefusedException($"the flood frames are not brighter than the dark frames (median response {medianResponse:0.0} LSB)");

        var bad = new bool[n];
        double darkTolerance = Criteria.DarkToleranceOfFullScale * Geometry.MaxValue;
        bool noiseKnown = dark.Frames >= 2 && medianNoise > 0;
        for (int i = 0; i < n; i++)
        {
            bad[i] = Math.Abs(response[i] / medianResponse - 1) > Criteria.ResponseTolerance
                || Math.Abs(offset[i] - medianDark) > darkTolerance
                || (noiseKnown && noise[i] > Criteria.NoiseFactor * medianNoise);
        }
        var rows = Lines(bad, w, h, rowWise: true);
        var columns = Lines(bad, w, h, rowWise: false);

        var defects = new DefectMap(Geometry);
        foreach (int y in rows) defects.AddRow(y);
        foreach (int x in columns) defects.AddColumn(x);
        for (int i = 0; i < n; i++)
            if (bad[i]) defects.AddPixel(i % w, i / w);

        double sum = 0;
        int good = 0;
        for (int i = 0; i < n; i++)
            if (!defects.IsDefective(i % w, i / w)) { sum += response[i]; good++; }
        double mean = sum / good;
        var gain = new float[n];
        for (int i = 0; i < n; i++)
            gain[i] = defects.IsDefective(i % w, i / w) ? 0f : (float)(mean / response[i]);
        var data = new CalibrationData(Geometry, offset, gain, defects);
        return new BuiltCalibration(data, mean, defects.Count, rows, columns);
    }

    /// <summary>The indices of the rows (or columns) with more than <see cref="DefectCriteria.LineFraction"/> of their pixels bad.</summary>
    private List<int> Lines(bool[] bad, int w, int h, bool rowWise)
    {
        int lines = rowWise ? h : w, length = rowWise ? w : h;
        var found = new List<int>();
        for (int l = 0; l < lines; l++)
        {
            int count = 0;
            for (int k = 0; k < length; k++)
                if (bad[rowWise ? l * w + k : k * w + l]) count++;
            if (count > Criteria.LineFraction * length) found.Add(l);
        }
        return found;
    }

    /// <summary>The median of a sample of every 7th value (exact enough for a frame's million pixels, and quick).</summary>
    internal static double Median(double[] values)
    {
        var sample = new double[(values.Length + 6) / 7];
        for (int i = 0, j = 0; i < values.Length; i += 7, j++) sample[j] = values[i];
        Array.Sort(sample);
        return sample[sample.Length / 2];
    }
}

/// <summary>The maps and what was found making them.</summary>
public sealed record BuiltCalibration(CalibrationData Data, double MeanResponseLsb, int DefectPixels, IReadOnlyList<int> DefectRows, IReadOnlyList<int> DefectColumns);

/// <summary>The procedure refused its input (the flood is not uniform, too dark or saturated); nothing was changed.</summary>
public sealed class CalibrationRefusedException(string message) : Exception(message);
