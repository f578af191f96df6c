using CathLab.LiveFeed.Frames;
using CathLab.LiveFeed.Protocol;
using CathLab.LiveFeed.Sessions;
using CathLab.LiveFeed.Tiers;

namespace CathLab.LiveFeed.Broker;

/// <summary>A relay's stand-in for the encoder's fan-out: the variants of a frame arrive already encoded, and each
/// observer session of the hub chooses its level exactly as on the station. A level whose variant did not arrive
/// (the lossless tier is never published) is served from the nearest variant that did, smaller first. One thread
/// fans out; a last-image hold is kept (its images retained) for observers who join between runs, as the station's
/// own hub does (<see cref="OfferHoldTo"/>, on the joining thread).</summary>
internal sealed class EncodedFrameFanOut(LiveFeedHub hub) : IDisposable
{
    private readonly SourceRateEstimate _rate = new();
    private readonly FrameSlot _slot = new();
    private readonly object _holdGate = new();
    private readonly FrameSlot _holdSlot = new();
    private readonly EncodedImage?[] _hold = new EncodedImage?[StreamVariant.All.Count];
    private bool _holding;

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
        KeepOrDropHold(examId, runId, info, readyUs, images);
    }

    /// <returns>True when the exam's newest frame was its hold and it was offered to the joining session.</returns>
    public bool OfferHoldTo(ObserverSession session)
    {
        lock (_holdGate)
        {
            if (!_holding || session.HoldLevel(_holdSlot) is not { } level || Available(_hold, level) is not { } served) return false;
            var image = _hold[served.Variant.Index]!;
            image.Retain();
            var info = _holdSlot.Info;
            session.Offer(new OutgoingFrame(info.FrameNumber, _holdSlot.ReadyUnixMicroseconds, _holdSlot.RunId, image, served.Index, info.Width, info.Height, LastImageHold: true));
            return true;
        }
    }

    private void KeepOrDropHold(string examId, string runId, in LiveFrameInfo info, long readyUs, EncodedImage?[] images)
    {
        lock (_holdGate)
        {
            ReleaseHold();
            if (!info.LastImageHold) return;
            _holdSlot.Fill(info, [], [], readyUs, examId, runId);
            for (int i = 0; i < images.Length; i++)
            {
                images[i]?.Retain();
                _hold[i] = images[i];
            }
            _holding = true;
        }
    }

    private void ReleaseHold()
    {
        for (int i = 0; i < _hold.Length; i++)
        {
            _hold[i]?.Release();
            _hold[i] = null;
        }
        _holding = false;
    }

    public void Dispose()
    {
        lock (_holdGate) ReleaseHold();
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
