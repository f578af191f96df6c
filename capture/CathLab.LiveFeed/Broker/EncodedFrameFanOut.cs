using CathLab.LiveFeed.Frames;
using CathLab.LiveFeed.Protocol;
using CathLab.LiveFeed.Sessions;
using CathLab.LiveFeed.Tiers;

namespace CathLab.LiveFeed.Broker;

/// <summary>A relay's stand-in for the encoder's fan-out: the variants of a frame arrive already encoded, and each
/// observer session of the hub chooses its level exactly as on the station. A level whose variant did not arrive
/// (the lossless tier is never published) is served from the nearest variant that did, smaller first. One thread only.</summary>
internal sealed class EncodedFrameFanOut(LiveFeedHub hub)
{
    private readonly SourceRateEstimate _rate = new();
    private readonly FrameSlot _slot = new();

    public long FramesFannedOut { get; private set; }

    public void FanOut(string examId, string runId, in LiveFrameInfo info, long readyUs, EncodedImage?[] images)
    {
        _slot.Fill(info, [], [], readyUs, examId, runId);
        _rate.Observe(readyUs, runId, info.LastImageHold);
        foreach (var session in hub.Sessions)
        {
            if (session.Choose(_slot, _rate.IntervalMicroseconds) is not { } level) continue;
            if (Available(images, level) is not { } served) continue;
            var image = images[served.Variant.Index]!;
            image.Retain();
            session.Offer(new OutgoingFrame(info.FrameNumber, readyUs, runId, image, served.Index, info.Width, info.Height, info.LastImageHold, session.LastChoiceWasProbe));
        }
        FramesFannedOut++;
    }

    private static StreamLevel? Available(EncodedImage?[] images, StreamLevel wanted)
    {
        for (int i = wanted.Index; i < StreamLevel.Ladder.Count; i++)
        {
            if (images[StreamLevel.Ladder[i].Variant.Index] is not null) return StreamLevel.Ladder[i];
        }
        for (int i = wanted.Index - 1; i >= 0; i--)
        {
            if (images[StreamLevel.Ladder[i].Variant.Index] is not null) return StreamLevel.Ladder[i];
        }
        return null;
    }
}
