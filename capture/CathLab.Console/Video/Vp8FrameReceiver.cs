using CathLab.LiveFeed.Protocol;
using CathLab.Video;

namespace CathLab.Console.Video;

/// <summary>Decodes the VP8 frames of a video watch with libvpx and counts what the observer was shown. An inter
/// frame that does not follow the previous frame of its size (by <c>sequence</c>), or any frame after one the decoder
/// rejected, cannot be shown: it is skipped and a key frame is asked of the station (at most every 0.5 s, as the
/// station answers). JPEG frames (the last-image hold, replayed as a JPEG where the rung cannot be made) are counted as pictures.
/// Called from the observer's receiving loop; <see cref="ToString"/> from anywhere.</summary>
internal sealed class Vp8FrameReceiver : IDisposable
{
    private static readonly TimeSpan KeyFrameRequestInterval = TimeSpan.FromMilliseconds(500);
    private readonly object _gate = new();
    private readonly VideoDecoder _decoder = new(VideoCodec.Vp8);
    private readonly Action _requestKeyFrame;
    private readonly TimeProvider _time;
    private byte[] _picture = [];
    private uint _lastWidth;
    private ulong _lastSequence;
    private bool _haveLast;
    private bool _awaitingKeyFrame = true;
    private long _lastKeyFrameRequest;
    private bool _keyFrameAsked;
    private long _windowStart;
    private int _windowPictures;
    private long _videoFrames, _videoBytes, _pictures, _keyFrames, _rejected, _skipped, _jpegPictures, _keyFramesAsked;
    private double _picturesPerSecond;

    public Vp8FrameReceiver(Action requestKeyFrame, TimeProvider time)
    {
        _requestKeyFrame = requestKeyFrame;
        _time = time;
    }

    /// <summary>VP8 frames decoded to a picture.</summary>
    public long Pictures
    {
        get
        {
            lock (_gate) return _pictures;
        }
    }

    /// <summary>Decodes <paramref name="frame"/>; true when it was a VP8 frame that decoded to a picture (what a
    /// recording may keep as it came).</summary>
    public bool Receive(LiveFrame frame)
    {
        if (frame.Encoding != ImageEncoding.Vp8)
        {
            lock (_gate) _jpegPictures++;
            return false;
        }
        bool shown = Decode(frame, out bool wantKeyFrame);
        if (wantKeyFrame) AskForKeyFrame();
        return shown;
    }

    private bool Decode(LiveFrame frame, out bool wantKeyFrame)
    {
        wantKeyFrame = false;
        lock (_gate)
        {
            _videoFrames++;
            _videoBytes += frame.Data.Length;
            bool follows = _haveLast && frame.Width == _lastWidth && frame.Sequence == _lastSequence + 1;
            _haveLast = true;
            _lastWidth = frame.Width;
            _lastSequence = frame.Sequence;
            if (!frame.KeyFrame && (_awaitingKeyFrame || !follows))
            {
                _awaitingKeyFrame = true;
                // Predicts from a picture this observer never got; the decoder would show a damaged one.
                _skipped++;
                wantKeyFrame = true;
                return false;
            }
            int size = checked((int)(frame.Width * frame.Height));
            if (_picture.Length < size) _picture = new byte[size];
            var result = _decoder.Decode(frame.Data.Span, _picture);
            switch (result.Status)
            {
                case DecodeStatus.Picture:
                    _pictures++;
                    _awaitingKeyFrame = false;
                    if (result.IsKeyFrame)
                    {
                        _keyFrames++;
                        _keyFrameAsked = false;
                    }
                    CountPictureRate();
                    return true;
                case DecodeStatus.Rejected:
                    _rejected++;
                    break;
                default:
                    _skipped++;
                    break;
            }
            _awaitingKeyFrame = true; // nothing after this frame decodes until a key frame
            wantKeyFrame = true;
            return false;
        }
    }

    private void CountPictureRate()
    {
        long now = _time.GetTimestamp();
        if (_windowStart == 0) _windowStart = now;
        _windowPictures++;
        var elapsed = _time.GetElapsedTime(_windowStart, now);
        if (elapsed < TimeSpan.FromSeconds(1)) return;
        _picturesPerSecond = _windowPictures / elapsed.TotalSeconds;
        _windowStart = now;
        _windowPictures = 0;
    }

    private void AskForKeyFrame()
    {
        lock (_gate)
        {
            long now = _time.GetTimestamp();
            if (_keyFrameAsked && _time.GetElapsedTime(_lastKeyFrameRequest, now) < KeyFrameRequestInterval) return;
            _keyFrameAsked = true;
            _lastKeyFrameRequest = now;
            _keyFramesAsked++;
        }
        _requestKeyFrame();
    }

    public override string ToString()
    {
        lock (_gate)
        {
            double perFrame = _videoFrames == 0 ? 0 : (double)_videoBytes / _videoFrames;
            return $"vp8 pictures {_pictures,6} ({_picturesPerSecond,4:F1}/s)  {perFrame,6:F0} B/frame  key frames {_keyFrames}  rejected {_rejected}  skipped {_skipped}  key frames asked {_keyFramesAsked}" +
                (_jpegPictures > 0 ? $"  jpeg pictures {_jpegPictures}" : "");
        }
    }

    public void Dispose()
    {
        lock (_gate) _decoder.Dispose();
    }
}
