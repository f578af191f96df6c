using CathLab.LiveFeed.Video;
using CathLab.Video;

namespace CathLab.LiveFeed.Sessions;

/// <summary>One video observer's place on the shared VP8 ladder. It follows the rung its adaptation chose: on a
/// change it subscribes to the new rung (which asks that encoding for a key frame) and keeps receiving the old one
/// until the new rung's first frame, a key frame, arrives; only then does it leave the old rung, so the observer
/// switches at a key frame and never waits without a picture. Following is called from the session's writer,
/// delivery on the encoder thread.</summary>
internal sealed class ObserverVideoFeed : IDisposable
{
    private readonly object _gate = new();
    private readonly VideoLadder _ladder;
    private readonly ObserverSession _session;
    private Rung? _current;
    private Rung? _pending;
    private bool _disposed;

    public ObserverVideoFeed(VideoLadder ladder, ObserverSession session)
    {
        _ladder = ladder;
        _session = session;
    }

    public VideoLadder Ladder => _ladder;

    /// <summary>The rung whose frames the observer is shown now (−1 before the first).</summary>
    public int CurrentRung
    {
        get
        {
            lock (_gate) return _current?.Index ?? -1;
        }
    }

    /// <summary>Moves the observer to <paramref name="rung"/> (an index into the ladder); a no-op when it is there
    /// or on its way there.</summary>
    public void Follow(int rung)
    {
        lock (_gate)
        {
            if (_disposed || (_pending ?? _current)?.Index == rung) return;
            _pending?.Subscription.Dispose();
            _pending = null;
            if (_current?.Index == rung) return; // back to where it is: the switch is off
            _pending = new Rung(this, rung);
            _pending.Subscription = _ladder[rung].Subscribe(_pending);
        }
    }

    /// <summary>Asks the rung the observer is on (or moving to) for a key frame.</summary>
    public void RequestKeyFrame()
    {
        lock (_gate)
        {
            if ((_pending ?? _current) is { } rung) _ladder[rung.Index].RequestKeyFrame();
        }
    }

    private bool Take(Rung rung, EncodedVideoFrame frame, in VideoFrameStamp stamp)
    {
        lock (_gate)
        {
            if (rung == _pending)
            {
                _current?.Subscription.Dispose(); // the first frame of a subscription is a key frame: switch here
                _current = rung;
                _pending = null;
            }
            else if (rung != _current)
            {
                frame.Release(); // a rung just left; its frame is not wanted
                return true;
            }
        }
        return _session.OfferVideo(frame, stamp, rung.Index);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _current?.Subscription.Dispose();
            _pending?.Subscription.Dispose();
            _current = _pending = null;
        }
    }

    private sealed class Rung(ObserverVideoFeed feed, int index) : IVideoFrameSink
    {
        public int Index { get; } = index;

        public VideoSubscription Subscription { get; set; } = null!; // set right after it is made, under the feed's lock

        public bool Wants(in VideoFrameStamp stamp) => stamp.ExamId == feed._session.ExamId;

        public bool TryTake(EncodedVideoFrame frame, in VideoFrameStamp stamp) => feed.Take(this, frame, stamp);
    }
}
