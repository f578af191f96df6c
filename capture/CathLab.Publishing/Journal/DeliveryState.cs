namespace CathLab.Publishing.Journal;

/// <summary>Where one object stands with one destination: the outbox's one state type. Transitions are in
/// <see cref="DeliveryTransitions"/>, the journal's text in DeliveryStateColumn, the control API's wire enum in the
/// station's ControlReplies (each an explicit mapping, never a cast by number).</summary>
public enum DeliveryState
{
    /// <summary>Waiting for its next attempt (first send, retry after a transient failure, or re-send after failed commitment).</summary>
    Pending,

    /// <summary>A C-STORE is in flight. Found at start-up, it means the process died mid-send: it goes back to Pending.</summary>
    Sending,

    /// <summary>The PACS answered C-STORE with success; storage commitment is requested or about to be.</summary>
    Sent,

    /// <summary>The PACS committed to keep it (or the destination does not use storage commitment).</summary>
    Committed,

    /// <summary>Will never work as asked (a permanent refusal, an unreadable file); waits for an operator's Retry.</summary>
    Failed,
}
