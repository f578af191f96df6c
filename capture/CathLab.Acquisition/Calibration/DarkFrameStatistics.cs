using CathLab.Acquisition.Frames;
using CathLab.Acquisition.Sources;
using CathLab.Processing.Frames;

namespace CathLab.Acquisition.Calibration;

/// <summary>Asks the detector for dark frames (read without exposure: frame link type DarkFrame) and gathers their
/// per-pixel statistics as they arrive, reading each frame during the source's event only.</summary>
public static class DarkFrameStatistics
{
    public static async Task<PixelStatistics> AcquireAsync(IFrameSource source, FrameGeometry geometry, int count, CancellationToken cancellationToken)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "at least one dark frame is needed");
        var statistics = new PixelStatistics(geometry.PixelCount);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new Lock();
        void OnFrame(Frame frame)
        {
            if (!frame.Info.Dark) return;
            lock (gate)
            {
                if (statistics.Frames >= count) return;
                if (frame.Info.Width != geometry.Width || frame.Info.Height != geometry.Height)
                {
                    done.TrySetException(new InvalidDataException($"a dark frame of {frame.Info.Width}×{frame.Info.Height} does not fit the detector mode in use ({geometry.Width}×{geometry.Height})"));
                    return;
                }
                statistics.Add(frame.Pixels);
                if (statistics.Frames == count) done.TrySetResult();
            }
        }
        source.FrameArrived += OnFrame;
        try
        {
            await source.RequestDarkFramesAsync(count, cancellationToken);
            await done.Task.WaitAsync(TimeSpan.FromSeconds(30 + count), cancellationToken);
        }
        finally
        {
            source.FrameArrived -= OnFrame;
        }
        return statistics;
    }
}
