using CathLab.LiveFeed.Tiers;

namespace CathLab.LiveFeed.Sessions;

/// <summary>A frame on its way to one observer: the shared encoded image plus what the observer needs to know.
/// A value, so queueing one allocates nothing; it carries one reference to <see cref="Image"/>, which whoever
/// takes it last (the writer after sending, or the queue when it drops it) releases.</summary>
public readonly record struct OutgoingFrame(long FrameNumber, long ReadyUnixMicroseconds, string RunId, EncodedImage Image, int Level, int SourceWidth, int SourceHeight, bool LastImageHold = false, bool Probe = false);
