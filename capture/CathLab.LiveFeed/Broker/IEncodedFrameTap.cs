using CathLab.LiveFeed.Frames;
using CathLab.LiveFeed.Tiers;

namespace CathLab.LiveFeed.Broker;

/// <summary>Encoder thread: receives every frame with each lossy variant encoded (once, shared with the observers).
/// Must not wait; whatever it keeps it retains.</summary>
internal interface IEncodedFrameTap
{
    void OnEncoded(FrameSlot slot, ReadOnlySpan<EncodedImage?> images);
}
