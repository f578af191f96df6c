using CathLab.LiveFeed.Tiers;

namespace CathLab.LiveFeed.Sessions;

/// <summary>A frame on its way to one observer: the shared encoded image plus what the observer needs to know.</summary>
public sealed record OutgoingFrame(long FrameNumber, long ReadyUnixMicroseconds, string RunId, EncodedImage Image, int Level, int SourceWidth, int SourceHeight);
