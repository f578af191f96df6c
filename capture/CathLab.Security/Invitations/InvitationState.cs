namespace CathLab.Security.Invitations;

/// <summary>Where an invitation stands. Expired is not stored: it follows from the time limit.</summary>
public enum InvitationState
{
    Pending = 1,
    Accepted = 2,
    Expired = 3,
    Revoked = 4,
}
