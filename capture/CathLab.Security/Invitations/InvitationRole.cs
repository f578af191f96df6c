namespace CathLab.Security.Invitations;

/// <summary>What an invited colleague may do in the one exam: watch (observer), or also join the discussion and take
/// the floor (consultant).</summary>
public enum InvitationRole
{
    Observer = 1,
    Consultant = 2,
}
