namespace CathLab.Publishing.Journal;

/// <summary>What can happen to one delivery (object × destination). <see cref="DeliveryTransitions"/> says which state each
/// event leads to, and from which states it is allowed at all.</summary>
public enum DeliveryEvent
{
    /// <summary>A C-STORE of the object is about to go out.</summary>
    StoreStarted,

    /// <summary>The PACS answered the C-STORE with success (or a warning); its commitment is asked next.</summary>
    Stored,

    /// <summary>As <see cref="Stored"/>, for a destination that does not use storage commitment.</summary>
    StoredWithoutCommitment,

    /// <summary>The attempt failed for a reason that heals by itself (PACS down, busy, a lost association): try later.</summary>
    StoreDeferred,

    /// <summary>The attempt will never work as asked (a permanent refusal, an unreadable file).</summary>
    StoreRefused,

    /// <summary>The PACS accepted our N-ACTION; the row waits for its report.</summary>
    CommitmentRequested,

    /// <summary>The N-ACTION itself failed; the commitment is asked again later.</summary>
    CommitmentRequestFailed,

    /// <summary>A PACS that was unreachable answers again; an awaited report may have been lost, so it is asked again now.</summary>
    PeerAnsweredAgain,

    /// <summary>The PACS's report commits the object.</summary>
    CommitmentConfirmed,

    /// <summary>The PACS's report says it did not commit the object: it is sent again.</summary>
    CommitmentFailed,

    /// <summary>The outbox opened after a stop or a kill: a send in flight goes again, an awaited commitment is asked again.</summary>
    Restarted,

    /// <summary>An operator asked to try the object again now.</summary>
    RetryRequested,
}
