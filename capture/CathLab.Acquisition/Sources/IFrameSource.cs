using CathLab.Acquisition.Frames;

namespace CathLab.Acquisition.Sources;

/// <summary>Where frames come from: the detector's frame link, or a capture card behind an analogue camera.
/// A source fills pooled frames and hands each to <see cref="FrameArrived"/>, which takes over its reference.</summary>
public interface IFrameSource : IAsyncDisposable
{
    string Description { get; }

    /// <summary>Called on the source's own thread for each frame; the handler owns the frame's reference.</summary>
    event Action<Frame>? FrameArrived;

    /// <summary>Called when the source knows it lost frames: a gap in the detector's sequence numbers, or no free buffer.</summary>
    event Action<long>? FramesLost;

    Task StartAsync(CancellationToken cancellationToken);

    /// <summary>Asks the detector for dark (unexposed) frames for offset calibration; they arrive through FrameArrived.</summary>
    Task RequestDarkFramesAsync(int count, CancellationToken cancellationToken);
}
