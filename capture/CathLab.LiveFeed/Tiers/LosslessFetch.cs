using CathLab.LiveFeed.Frames;

namespace CathLab.LiveFeed.Tiers;

/// <summary>One-off lossless fetches of frames the store still keeps (the recent ring and the frames observers marked).</summary>
internal sealed class LosslessFetch(FrameStore store)
{
    /// <summary>Encodes one retained frame at full lossless quality, or returns null when it is no longer kept.
    /// Runs on the caller's thread (a request's), never on the encoder's.</summary>
    public (byte[] Png, LiveFrameInfo Info)? Encode(string examId, long frameNumber)
    {
        var slot = store.Acquire(examId, frameNumber);
        if (slot is null) return null;
        try
        {
            return (TierEncoder.EncodeLossless(slot.Processed, slot.Info.Width, slot.Info.Height), slot.Info);
        }
        finally
        {
            store.Release(slot);
        }
    }

    /// <summary>Keeps a recent frame for a later fetch.</summary>
    public bool Mark(string examId, long frameNumber) => store.Mark(examId, frameNumber);
}
