using CathLab.Acquisition.Imaging;
using CathLab.LiveFeed;
using CathLab.LiveFeed.Frames;
using CathLab.Processing.Display;

namespace CathLab.Station.Live;

/// <summary>Hands each processed frame to the live feed: the detector's 16-bit frame for the lossless tier and the
/// 8-bit display image for the others. The hub copies what it keeps and never waits, so the processing stage does not either.</summary>
public sealed class LiveFeedFrameSink(LiveFeedHub hub) : IProcessedFrameSink
{
    private long _notPublished;

    /// <summary>Frames the live feed did not take (no exam open, encoder behind, or a 16-bit display that it cannot show).</summary>
    public long NotPublished => Interlocked.Read(ref _notPublished);

    public void OnProcessedFrame(in ProcessedFrame frame)
    {
        var layout = frame.Layout;
        if (layout.Format != OutputFormat.Gray8)
        {
            Interlocked.Increment(ref _notPublished);
            return;
        }
        var info = frame.Info;
        var live = new LiveFrameInfo(info.Sequence, info.Width, info.Height, info.BitsStored, layout.Width, layout.Height, frame.Held);
        if (!hub.PublishFrame(live, frame.Raw, frame.Display)) Interlocked.Increment(ref _notPublished);
    }
}
