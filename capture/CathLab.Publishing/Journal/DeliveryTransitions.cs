using static CathLab.Publishing.Journal.DeliveryEvent;
using static CathLab.Publishing.Journal.DeliveryState;

namespace CathLab.Publishing.Journal;

/// <summary>The delivery state machine: the one place that says which (state, event) pairs are allowed and where they lead.
/// The journal's SQL takes its states from here.</summary>
public static class DeliveryTransitions
{
    private static readonly DeliveryState[] States = Enum.GetValues<DeliveryState>();
    private static readonly Dictionary<DeliveryEvent, IReadOnlyList<DeliveryState>> Sources =
        Enum.GetValues<DeliveryEvent>().ToDictionary(e => e, e => (IReadOnlyList<DeliveryState>)[.. States.Where(s => TryNext(s, e) is not null)]);

    /// <summary>The state <paramref name="on"/> leads to from <paramref name="from"/>, or null when the event is not allowed there.</summary>
    public static DeliveryState? TryNext(DeliveryState from, DeliveryEvent on) => (from, on) switch
    {
        (Pending, StoreStarted) => Sending,
        (Sending, Stored) => Sent,
        (Sending, StoredWithoutCommitment) => Committed,
        (Pending or Sending, StoreDeferred) => Pending,
        (Pending or Sending, StoreRefused) => Failed,
        (Sent, CommitmentRequested or CommitmentRequestFailed or PeerAnsweredAgain) => Sent,
        (Sent, CommitmentConfirmed) => Committed,
        (Sent, CommitmentFailed) => Pending,
        (Sending, Restarted) => Pending,
        (Sent, Restarted) => Sent,
        (Failed or Pending, RetryRequested) => Pending,
        (Sent, RetryRequested) => Sent,
        _ => null,
    };

    /// <summary>The state <paramref name="on"/> leads to from <paramref name="from"/>; throws <see cref="DeliveryTransitionException"/>
    /// when the event is not allowed there.</summary>
    public static DeliveryState Next(DeliveryState from, DeliveryEvent on) =>
        TryNext(from, on) ?? throw new DeliveryTransitionException(from, on, AllowedFrom(on));

    /// <summary>The states from which <paramref name="on"/> is allowed.</summary>
    public static IReadOnlyList<DeliveryState> AllowedFrom(DeliveryEvent on) => Sources[on];

    /// <summary>Whether an operator may give the delivery up (it then leaves the journal): only once it has failed for good.</summary>
    public static bool MayAbandon(DeliveryState state) => state == Failed;

    /// <summary>States whose row waits for the loop's next action at its next_attempt_at (a send or a commitment request).</summary>
    public static IReadOnlyList<DeliveryState> Scheduled { get; } = [.. AllowedFrom(StoreStarted).Union(AllowedFrom(CommitmentRequested))];
}
