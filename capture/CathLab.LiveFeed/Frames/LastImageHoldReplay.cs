using CathLab.LiveFeed.Sessions;
using CathLab.LiveFeed.Tiers;

namespace CathLab.LiveFeed.Frames;

/// <summary>An observer who joins between runs sees what the monitors in the lab show: the last run's last image.
/// When the exam's newest frame is its last-image hold, the joiner is sent it once, encoded at the level its ladder
/// starts at, before it is registered for live frames (so a live frame is never overtaken by the older hold).
/// Runs on the joining caller's thread, with an encoder of its own: the encoder thread is not touched.</summary>
internal sealed class LastImageHoldReplay(FrameStore store) : IDisposable
{
    private readonly object _gate = new();
    private readonly TierEncoder _encoder = new(StreamVariant.All.Select(v => new EncodedImagePool(v)).ToArray());
    private long _replayed;

    public long Replayed => Interlocked.Read(ref _replayed);

    /// <returns>True when the hold was offered to the session.</returns>
    public bool OfferTo(ObserverSession session)
    {
        var slot = store.AcquireNewest(session.ExamId);
        if (slot is null) return false;
        try
        {
            if (!slot.Info.LastImageHold || session.HoldLevel(slot) is not { } level) return false;
            EncodedImage image;
            lock (_gate) image = _encoder.Encode(slot, level.Variant);
            session.Offer(new OutgoingFrame(slot.Info.FrameNumber, slot.ReadyUnixMicroseconds, slot.RunId, image, level.Index, slot.Info.Width, slot.Info.Height,
                LastImageHold: true));
            Interlocked.Increment(ref _replayed);
            return true;
        }
        finally
        {
            store.Release(slot);
        }
    }

    public void Dispose()
    {
        lock (_gate) _encoder.Dispose();
    }
}
