using CathLab.Publishing.Journal;
using static CathLab.Publishing.Journal.DeliveryEvent;
using static CathLab.Publishing.Journal.DeliveryState;

namespace CathLab.Publishing.Tests;

/// <summary>The delivery state machine over every (state, event) pair, against the table that docs/outbox.md draws.</summary>
public sealed class DeliveryTransitionsTests
{
    // Written out pair by pair, independently of DeliveryTransitions' own patterns: a pair missing here is refused.
    private static readonly Dictionary<(DeliveryState, DeliveryEvent), DeliveryState> Allowed = new()
    {
        [(Pending, StoreStarted)] = Sending,
        [(Sending, Stored)] = Sent,
        [(Sending, StoredWithoutCommitment)] = Committed,
        [(Pending, StoreDeferred)] = Pending,
        [(Sending, StoreDeferred)] = Pending,
        [(Pending, StoreRefused)] = Failed,
        [(Sending, StoreRefused)] = Failed,
        [(Sent, CommitmentRequested)] = Sent,
        [(Sent, CommitmentRequestFailed)] = Sent,
        [(Sent, PeerAnsweredAgain)] = Sent,
        [(Sent, CommitmentConfirmed)] = Committed,
        [(Sent, CommitmentFailed)] = Pending,
        [(Sending, Restarted)] = Pending,
        [(Sent, Restarted)] = Sent,
        [(Failed, RetryRequested)] = Pending,
        [(Pending, RetryRequested)] = Pending,
        [(Sent, RetryRequested)] = Sent,
    };

    public static TheoryData<DeliveryState, DeliveryEvent> EveryPair()
    {
        var pairs = new TheoryData<DeliveryState, DeliveryEvent>();
        foreach (var state in Enum.GetValues<DeliveryState>())
        {
            foreach (var on in Enum.GetValues<DeliveryEvent>())
            {
                pairs.Add(state, on);
            }
        }
        return pairs;
    }

    [Theory]
    [MemberData(nameof(EveryPair))]
    public void EachPairLeadsWhereTheTableSaysOrIsRefusedWithItsNames(DeliveryState from, DeliveryEvent on)
    {
        if (Allowed.TryGetValue((from, on), out var to))
        {
            Assert.Equal(to, DeliveryTransitions.Next(from, on));
            Assert.Contains(from, DeliveryTransitions.AllowedFrom(on));
        }
        else
        {
            var refused = Assert.Throws<DeliveryTransitionException>(() => DeliveryTransitions.Next(from, on));
            Assert.Equal((from, on), (refused.From, refused.Event));
            Assert.Contains($"{from} cannot take {on}", refused.Message, StringComparison.Ordinal);
            Assert.Null(DeliveryTransitions.TryNext(from, on));
            Assert.DoesNotContain(from, DeliveryTransitions.AllowedFrom(on));
        }
    }

    [Fact]
    public void CommittedIsFinalAndOnlyFailedMayBeAbandoned()
    {
        Assert.All(Enum.GetValues<DeliveryEvent>(), on => Assert.Null(DeliveryTransitions.TryNext(Committed, on)));
        Assert.Equal([Failed], Enum.GetValues<DeliveryState>().Where(DeliveryTransitions.MayAbandon));
        Assert.Equal([Pending, Sent], DeliveryTransitions.Scheduled.Order());
    }
}
