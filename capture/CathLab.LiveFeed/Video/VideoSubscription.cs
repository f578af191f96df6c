using CathLab.Video;

namespace CathLab.LiveFeed.Video;

/// <summary>One observer's place on one shared encoding. It starts waiting for a key frame (and has asked for
/// one); once a frame cannot be handed to the observer, the rest of that group of pictures would not decode, so
/// it waits for — and asks for — the next key frame again.</summary>
public sealed class VideoSubscription : IDisposable
{
    private readonly SharedVideoEncoding _encoding;
    private readonly IVideoFrameSink _sink;
    private bool _awaitingKeyFrame = true;
    private bool _keyFrameAsked = true;

    internal VideoSubscription(SharedVideoEncoding encoding, IVideoFrameSink sink)
    {
        _encoding = encoding;
        _sink = sink;
    }

    public VideoEncodingOption Encoding => _encoding.Option;

    public long FramesSent { get; private set; }

    /// <summary>Inter frames not sent because the observer had no key frame to decode them from.</summary>
    public long FramesSkippedAwaitingKeyFrame { get; private set; }

    /// <summary>Frames the observer's queue refused (each one cost a key-frame request).</summary>
    public long FramesRefused { get; private set; }

    internal void Deliver(EncodedVideoFrame frame, in VideoFrameStamp stamp)
    {
        if (!_sink.Wants(stamp))
        {
            _awaitingKeyFrame = true;
            _keyFrameAsked = false; // asked for when it wants frames again
            return;
        }
        if (_awaitingKeyFrame && !frame.IsKeyFrame)
        {
            FramesSkippedAwaitingKeyFrame++;
            AskForKeyFrame();
            return;
        }
        frame.Retain();
        if (_sink.TryTake(frame, stamp))
        {
            _awaitingKeyFrame = false;
            FramesSent++;
            return;
        }
        frame.Release();
        FramesRefused++;
        _awaitingKeyFrame = true;
        _keyFrameAsked = false;
        AskForKeyFrame();
    }

    private void AskForKeyFrame()
    {
        if (_keyFrameAsked) return;
        _keyFrameAsked = true;
        _encoding.RequestKeyFrame();
    }

    public void Dispose() => _encoding.Remove(this);
}
