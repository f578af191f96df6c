using CathLab.Video;

namespace CathLab.LiveFeed.Video;

/// <summary>One encoding of the display frames, made once and handed to every observer subscribed to it. The
/// encoder exists only while someone is subscribed; a subscriber that joins gets a key frame on the next picture.
/// <see cref="Offer"/> runs on the live feed's encoder thread only; subscribing and leaving are thread-safe.</summary>
public sealed class SharedVideoEncoding : IDisposable
{
    private static readonly TimeSpan EarlyTolerance = TimeSpan.FromMilliseconds(1);
    private readonly object _gate = new();
    private readonly byte[] _picture;
    private VideoSubscription[] _subscribers = [];
    private VideoEncoder? _encoder;
    private TimeSpan? _nextPictureDue;
    private bool _keyFrameRequested;

    public SharedVideoEncoding(VideoEncodingOption option)
    {
        option.Validate();
        Option = option;
        _picture = new byte[option.Size * option.Size];
    }

    public VideoEncodingOption Option { get; }

    public int Subscribers => Volatile.Read(ref _subscribers).Length;

    /// <summary>Pictures encoded since the encoding was made (over all its encoders' lifetimes).</summary>
    public long PicturesEncoded { get; private set; }

    /// <summary>Encoders started: one per period with subscribers.</summary>
    public int EncodersStarted { get; private set; }

    public bool IsEncoding => _encoder is not null;

    /// <summary>Key frames encoded (the first of each encoder, the interval's and those asked for).</summary>
    public long KeyFramesEncoded { get; private set; }

    public VideoSubscription Subscribe(IVideoFrameSink sink)
    {
        var subscription = new VideoSubscription(this, sink);
        lock (_gate) _subscribers = [.. _subscribers, subscription];
        RequestKeyFrame();
        return subscription;
    }

    public void RequestKeyFrame() => Volatile.Write(ref _keyFrameRequested, true);

    /// <summary>Offers one square grey display frame (<paramref name="displaySize"/>², a multiple of the encoding's
    /// size) shown at <paramref name="timestamp"/>. Encodes it if someone watches and the encoding's frame rate is
    /// due, or a key frame is wanted; returns whether it encoded.</summary>
    public bool Offer(ReadOnlySpan<byte> display, int displaySize, TimeSpan timestamp) =>
        Offer(display, displaySize, timestamp, VideoFrameStamp.Unstamped);

    /// <summary>As above, with the display frame's stamp for the subscribers; a last-image hold is always encoded
    /// (as the picture it repeats, so it costs an inter frame of almost nothing).</summary>
    public bool Offer(ReadOnlySpan<byte> display, int displaySize, TimeSpan timestamp, in VideoFrameStamp stamp)
    {
        var subscribers = Volatile.Read(ref _subscribers);
        if (subscribers.Length == 0)
        {
            StopEncoder();
            return false;
        }
        bool keyWanted = Volatile.Read(ref _keyFrameRequested);
        // A display frame a hair early (clock rounding) still counts as due.
        if (!keyWanted && !stamp.LastImageHold && _nextPictureDue is { } due && timestamp < due - EarlyTolerance) return false;
        _nextPictureDue = (_nextPictureDue is { } previous && timestamp - previous < Option.FrameInterval ? previous : timestamp) + Option.FrameInterval;

        BoxDownscale.Into(display, displaySize, _picture, Option.Size);
        if (_encoder is null)
        {
            _encoder = new VideoEncoder(Option.ToEncoderSettings());
            EncodersStarted++;
        }
        if (Interlocked.Exchange(ref _keyFrameRequested, false)) _encoder.RequestKeyFrame();
        var frame = _encoder.Encode(_picture);
        PicturesEncoded++;
        if (frame.IsKeyFrame) KeyFramesEncoded++;
        try
        {
            foreach (var subscriber in subscribers) subscriber.Deliver(frame, stamp);
        }
        finally
        {
            frame.Release();
        }
        return true;
    }

    internal void Remove(VideoSubscription subscription)
    {
        lock (_gate) _subscribers = Array.FindAll(_subscribers, s => s != subscription);
    }

    private void StopEncoder()
    {
        _encoder?.Dispose();
        _encoder = null;
        _nextPictureDue = null;
    }

    public void Dispose() => StopEncoder();
}
