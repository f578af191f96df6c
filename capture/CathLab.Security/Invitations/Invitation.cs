namespace CathLab.Security.Invitations;

/// <summary>One invitation to one exam. <see cref="Invitee"/> is an identity's subject, or an e-mail address (it holds an
/// '@'), which the redeemer's email claim must then match.</summary>
public sealed record Invitation(string Id, string ExamId, InvitationRole Role, string Invitee, string InvitedBy, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt)
{
    /// <summary>Pending, Accepted or Revoked, as stored.</summary>
    public InvitationState Stored { get; init; } = InvitationState.Pending;

    public DateTimeOffset? AcceptedAt { get; init; }

    /// <summary>The subject of the identity that redeemed it; the only one that may redeem it again (a new sign-in).</summary>
    public string? AcceptedBy { get; init; }

    public DateTimeOffset? RevokedAt { get; init; }

    public string? RevokedBy { get; init; }

    public bool InvitesAddress => Invitee.Contains('@');

    public InvitationState StateAt(DateTimeOffset now) =>
        Stored == InvitationState.Revoked ? InvitationState.Revoked : now >= ExpiresAt ? InvitationState.Expired : Stored;
}
