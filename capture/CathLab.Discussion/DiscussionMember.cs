namespace CathLab.Discussion;

/// <summary>One connection's place in a discussion: who it is and where its messages go.</summary>
public sealed class DiscussionMember(Participant participant, IDiscussionPeer peer, string? address)
{
    public Participant Participant { get; } = participant;
    public IDiscussionPeer Peer { get; } = peer;
    public string? Address { get; } = address;
    public int Accepted { get; internal set; }
    public int Refused { get; internal set; }
}
