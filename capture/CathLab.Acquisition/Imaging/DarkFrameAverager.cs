using CathLab.Acquisition.Calibration;
using CathLab.Acquisition.Frames;
using CathLab.Acquisition.Sources;
using CathLab.Processing.Calibration;

namespace CathLab.Acquisition.Imaging;

/// <summary>Refreshes the offset (dark) map: averages dark frames from the detector and keeps the gain map and the
/// defect map of the calibration in force. Gain needs flood exposures and is calibrated far less often
/// (<see cref="CalibrationAcquisition"/>); offset drifts with temperature and is refreshed between runs.</summary>
public sealed class DarkFrameAverager
{
    private readonly CalibrationData _current;
    private readonly double[] _sum;

    public DarkFrameAverager(CalibrationData current)
    {
        _current = current;
        _sum = new double[current.Geometry.PixelCount];
    }

    public int Frames { get; private set; }

    /// <summary>Frames that were offered but were not dark frames of the calibration's size.</summary>
    public int Ignored { get; private set; }

    /// <summary>Adds the frame when it is a dark frame of the calibration's size; the caller keeps its reference.</summary>
    public bool TryAdd(in FrameInfo info, ReadOnlySpan<ushort> pixels)
    {
        var geometry = _current.Geometry;
        if (!info.Dark || info.Width != geometry.Width || info.Height != geometry.Height || pixels.Length != geometry.PixelCount)
        {
            Ignored++;
            return false;
        }
        for (int i = 0; i < pixels.Length; i++) _sum[i] += pixels[i];
        Frames++;
        return true;
    }

    public CalibrationData Build()
    {
        if (Frames == 0) throw new InvalidOperationException("no dark frames were acquired: the offset map cannot be built");
        var dark = new float[_sum.Length];
        for (int i = 0; i < dark.Length; i++) dark[i] = (float)(_sum[i] / Frames);
        return new CalibrationData(_current.Geometry, dark, _current.Gain, _current.Defects);
    }

    /// <summary>Asks <paramref name="source"/> for <paramref name="count"/> dark frames and averages them as they arrive
    /// (<see cref="DarkFrameStatistics"/>).</summary>
    public static async Task<CalibrationData> AcquireAsync(IFrameSource source, CalibrationData current, int count, CancellationToken cancellationToken) =>
        WithOffset(current, await DarkFrameStatistics.AcquireAsync(source, current.Geometry, count, cancellationToken));

    /// <summary>The calibration <paramref name="current"/> with its offset map replaced by the mean of <paramref name="dark"/>.</summary>
    public static CalibrationData WithOffset(CalibrationData current, PixelStatistics dark)
    {
        var offset = new float[dark.Pixels];
        for (int i = 0; i < offset.Length; i++) offset[i] = (float)dark.Mean(i);
        return new CalibrationData(current.Geometry, offset, current.Gain, current.Defects);
    }
}
