using CathLab.LiveFeed.Sessions;
using CathLab.LiveFeed.Video;
using CathLab.Video;

namespace CathLab.LiveFeed.Frames;

/// <summary>A video observer's first picture, at once: the exam's newest display frame (a live frame, or between runs
/// the last-image hold) encoded as a key frame of the rung the observer starts on, queued before the observer subscribes
/// to that rung. The shared rung's own key frame, asked for on subscribing, follows on the next display frame, and the
/// stream goes on from it. Without this a joiner waited for the next display frame, up to a frame interval (133 ms
/// at 7.5 fps, 500 ms for DSA at 2 fps), and between runs it got a JPEG. Runs on the joining caller's thread with an
/// encoder of its own per rung, so the encoder thread and the shared encodings are not touched.</summary>
internal sealed class VideoJoinPicture(FrameStore store, VideoLadder ladder) : IDisposable
{
    private readonly object _gate = new();
    private readonly VideoEncoder?[] _encoders = new VideoEncoder?[ladder.Count];
    private readonly byte[]?[] _pictures = new byte[]?[ladder.Count];
    private long _sent;

    /// <summary>Join pictures queued so far.</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <returns>True when a picture was queued for the session (false: not a video observer, no frame of its exam yet,
    /// or a display frame its starting rung cannot be made from).</returns>
    public bool OfferTo(ObserverSession session)
    {
        if (!session.IsVideo) return false;
        var slot = store.AcquireNewest(session.ExamId);
        if (slot is null) return false;
        try
        {
            var info = slot.Info;
            int rung = session.StartingVideoRung;
            if (!ladder.CanMake(rung, info.DisplayWidth, info.DisplayHeight)) return false;
            EncodedVideoFrame frame;
            lock (_gate)
            {
                var option = ladder[rung].Option;
                var encoder = _encoders[rung] ??= new VideoEncoder(option.ToEncoderSettings());
                var picture = _pictures[rung] ??= new byte[option.Size * option.Size];
                BoxDownscale.Into(slot.Display, info.DisplayWidth, picture, option.Size);
                encoder.RequestKeyFrame();
                frame = encoder.Encode(picture);
            }
            var stamp = new VideoFrameStamp(slot.ExamId, slot.RunId, info.FrameNumber, slot.ReadyUnixMicroseconds, info.Width, info.Height, info.LastImageHold);
            if (!session.OfferVideo(frame, stamp, rung))
            {
                frame.Release();
                return false;
            }
            Interlocked.Increment(ref _sent);
            return true;
        }
        finally
        {
            store.Release(slot);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var encoder in _encoders) encoder?.Dispose();
            Array.Clear(_encoders);
        }
    }
}
