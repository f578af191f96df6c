using CathLab.Security.Access;

namespace CathLab.Security.Invitations;

/// <summary>What redeeming an invitation code gave: the session grant (a bearer token for that exam only, until the
/// invitation's time limit) with the identity it resolves to, or the reason it was refused.</summary>
public readonly record struct Redemption(string? Grant, CallerIdentity? Caller, Invitation? Invitation, string Refusal)
{
    public bool Accepted => Grant is not null;
}

/// <summary>A new invitation and its code: the only time the code exists outside the invitee's link.</summary>
public readonly record struct IssuedInvitation(Invitation Invitation, string Code, string Link);
