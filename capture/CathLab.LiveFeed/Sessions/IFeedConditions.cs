using CathLab.LiveFeed.Tiers;

namespace CathLab.LiveFeed.Sessions;

/// <summary>What an observer's session needs to know about the feed as a whole: how large each variant's frames are,
/// the source's frame rate and width, and what the encoder could not take.</summary>
internal interface IFeedConditions
{
    /// <summary>Recent encoded size of a variant in bytes; 0 before it was first encoded or measured.</summary>
    double AverageBytes(StreamVariant variant);

    double SourceFps { get; }

    int SourceDisplayWidth { get; }

    long DroppedBeforeEncoder { get; }
}
