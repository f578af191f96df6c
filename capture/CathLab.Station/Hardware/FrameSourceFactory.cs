using CathLab.Acquisition.Frames;
using CathLab.Acquisition.Sources;

namespace CathLab.Station.Hardware;

/// <summary>Makes the configured frame source: the detector's frame link, or a capture card through VideoCapture.</summary>
public static class FrameSourceFactory
{
    public static IFrameSource Create(DetectorOptions detector, IServiceProvider services)
    {
        var pool = services.GetRequiredService<FramePool>();
        return detector.Source switch
        {
            DetectorSource.FrameLink => new FrameLinkSource(detector.Host, detector.Port, pool, services.GetRequiredService<ILogger<FrameLinkSource>>()),
            DetectorSource.VideoCapture => new VideoCaptureSource(new VideoCaptureSourceOptions { Path = detector.Device, Width = detector.Size, Height = detector.Size },
                pool, services.GetRequiredService<ILogger<VideoCaptureSource>>()),
            _ => throw new InvalidOperationException($"frame source '{detector.Source}' is not known"),
        };
    }
}
