using CathLab.Video;

namespace CathLab.LiveFeed.Video;

/// <summary>The shared encodings of the display frames, smallest first (<c>LiveFeedOptions.VideoEncodings</c>). The
/// encoder thread offers each display frame to all of them; only those with subscribers encode. A rung whose size
/// does not divide the display frame is not made for it (its subscribers get nothing until the size fits).</summary>
public sealed class VideoLadder : IDisposable
{
    private readonly SharedVideoEncoding[] _encodings;

    public VideoLadder(IReadOnlyList<VideoEncodingOption> options)
    {
        VideoEncodingOption.ValidateLadder(options);
        _encodings = options.Select(o => new SharedVideoEncoding(o)).ToArray();
    }

    public int Count => _encodings.Length;

    public SharedVideoEncoding this[int index] => _encodings[index];

    /// <summary>Pictures encoded by all rungs together.</summary>
    public long PicturesEncoded
    {
        get
        {
            long sum = 0;
            foreach (var e in _encodings) sum += e.PicturesEncoded;
            return sum;
        }
    }

    /// <summary>The largest rung that can be made from a display frame of this size (0 when none, or the size is unknown).</summary>
    public int LargestFor(int displaySize)
    {
        for (int i = _encodings.Length - 1; i > 0; i--)
        {
            if (Fits(_encodings[i].Option, displaySize)) return i;
        }
        return 0;
    }

    /// <summary>Encoder thread: offers one display frame to every rung.</summary>
    public void Offer(ReadOnlySpan<byte> display, int displayWidth, int displayHeight, in VideoFrameStamp stamp)
    {
        var timestamp = TimeSpan.FromTicks(stamp.ReadyUnixMicroseconds * 10);
        foreach (var encoding in _encodings)
        {
            if (displayWidth == displayHeight && Fits(encoding.Option, displayWidth)) encoding.Offer(display, displayWidth, timestamp, stamp);
        }
    }

    private static bool Fits(VideoEncodingOption option, int displaySize) => displaySize >= option.Size && displaySize % option.Size == 0;

    public void Dispose()
    {
        foreach (var e in _encodings) e.Dispose();
    }
}
