using CathLab.Video;

namespace CathLab.LiveFeed.Video;

/// <summary>Where one observer's video frames go (its send queue).</summary>
public interface IVideoFrameSink
{
    /// <summary>Takes the caller's reference to <paramref name="frame"/> and returns true, or returns false (the
    /// queue is full) and leaves the reference with the caller. Called on the encoder's thread; must not block.</summary>
    bool TryTake(EncodedVideoFrame frame);
}
