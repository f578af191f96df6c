using CathLab.Video;

namespace CathLab.LiveFeed.Video;

/// <summary>Where one observer's video frames go (its send queue).</summary>
public interface IVideoFrameSink
{
    /// <summary>Whether this observer wants the frames of this display frame at all (it watches another exam, say).
    /// A frame it does not want is not offered; the picture it would predict from is then missing, so the
    /// subscription waits for a key frame again.</summary>
    bool Wants(in VideoFrameStamp stamp);

    /// <summary>Takes the caller's reference to <paramref name="frame"/> and returns true, or returns false (the
    /// queue is full) and leaves the reference with the caller. Called on the encoder's thread; must not block.</summary>
    bool TryTake(EncodedVideoFrame frame, in VideoFrameStamp stamp);
}
