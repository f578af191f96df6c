namespace CathLab.Acquisition.Distribution;

/// <summary>What happens when a consumer's queue is full.</summary>
public enum ConsumerPolicy
{
    /// <summary>The frame is dropped for this consumer and counted (live feed, display).</summary>
    DropAndCount,

    /// <summary>The frame is dropped and the consumer is marked as having lost frames, so a recording fails loudly.</summary>
    MustNotLose,
}
