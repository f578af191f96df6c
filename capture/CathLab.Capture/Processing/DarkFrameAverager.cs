using CathLab.Capture.Frames;
using CathLab.Capture.Sources;
using CathLab.Processing.Calibration;

namespace CathLab.Capture.Processing;

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

    /// <summary>Asks <paramref name="source"/> for <paramref name="count"/> dark frames and averages them as they arrive.</summary>
    /// <remarks>The handler only reads the pixels, during the source's event, and leaves the frame's reference to the
    /// handler that owns it (the run sequencer, which drops dark frames). The source rents its next buffer only after
    /// every handler has returned, so the pixels stay intact for the whole event.</remarks>
    public static async Task<CalibrationData> AcquireAsync(IFrameSource source, CalibrationData current, int count, CancellationToken cancellationToken)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "at least one dark frame is needed");
        var averager = new DarkFrameAverager(current);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new Lock();
        void OnFrame(Frame frame)
        {
            if (!frame.Info.Dark) return;
            lock (gate)
            {
                if (averager.Frames >= count) return;
                if (!averager.TryAdd(frame.Info, frame.Pixels))
                {
                    var g = current.Geometry;
                    done.TrySetException(new InvalidDataException($"a dark frame of {frame.Info.Width}×{frame.Info.Height} does not fit the {g.Width}×{g.Height} calibration"));
                    return;
                }
                if (averager.Frames == count) done.TrySetResult();
            }
        }
        source.FrameArrived += OnFrame;
        try
        {
            await source.RequestDarkFramesAsync(count, cancellationToken);
            await done.Task.WaitAsync(cancellationToken);
        }
        finally
        {
            source.FrameArrived -= OnFrame;
        }
        lock (gate) return averager.Build();
    }
}
