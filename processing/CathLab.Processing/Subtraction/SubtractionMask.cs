using CathLab.Processing.Calibration;
using CathLab.Processing.Cpu;
using CathLab.Processing.Frames;

namespace CathLab.Processing.Subtraction;

/// <summary>The DSA mask, DICOM Mask Operation AVG_SUB: the mean, over the chosen pre-contrast frames,
/// of the log of each calibrated (offset, gain, defect-corrected) frame.</summary>
public sealed class SubtractionMask
{
    private readonly double[] _sum;
    private readonly ushort[] _calibrated;

    public SubtractionMask(CalibrationData calibration)
    {
        Calibration = calibration;
        _sum = new double[calibration.Geometry.PixelCount];
        _calibrated = new ushort[calibration.Geometry.PixelCount];
    }

    public CalibrationData Calibration { get; }

    public int Frames { get; private set; }

    public void Add(ReadOnlySpan<ushort> raw)
    {
        var g = Calibration.Geometry;
        g.RequireLength(raw.Length, nameof(raw));
        ScalarCalibration.Apply(Calibration, raw, _calibrated);
        var log = LogTransform.Table;
        for (int i = 0; i < _sum.Length; i++) _sum[i] += log[_calibrated[i]];
        Frames++;
    }

    public void Clear()
    {
        Array.Clear(_sum);
        Frames = 0;
    }

    /// <summary>Writes the averaged log mask.</summary>
    public void Average(Span<float> mask)
    {
        if (Frames == 0) throw new InvalidOperationException("the mask has no frames");
        Calibration.Geometry.RequireLength(mask.Length, nameof(mask));
        for (int i = 0; i < _sum.Length; i++) mask[i] = (float)(_sum[i] / Frames);
    }

    /// <summary>Builds a mask from frames <paramref name="first"/>..<paramref name="last"/> (inclusive) of a
    /// recorded run: the remasking path. Checks the range before reading any frame.</summary>
    public static SubtractionMask FromRun(CalibrationData calibration, IRunFrames run, int first, int last)
    {
        ValidateRange(run.Count, first, last);
        var mask = new SubtractionMask(calibration);
        for (int i = first; i <= last; i++) mask.Add(run.Frame(i));
        return mask;
    }

    public static void ValidateRange(int runLength, int first, int last)
    {
        if (runLength <= 0) throw new ArgumentException("the run has no frames", nameof(runLength));
        if (first < 0 || last < first || last >= runLength)
            throw new ArgumentOutOfRangeException(nameof(first), $"mask frames {first}..{last} lie outside the run's frames 0..{runLength - 1}");
    }
}
