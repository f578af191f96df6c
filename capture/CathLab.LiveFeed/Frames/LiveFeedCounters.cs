namespace CathLab.LiveFeed.Frames;

/// <summary>Frames published to the live feed, frames dropped before encoding (the encoder was behind or no
/// exam was open), frames encoded, and encoder failures.</summary>
public readonly record struct LiveFeedCounters(long Published, long DroppedBeforeEncoder, long Encoded, long EncoderFailures);
