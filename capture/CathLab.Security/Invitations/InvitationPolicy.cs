namespace CathLab.Security.Invitations;

/// <summary>The bounds on invitations a site sets (Station:Invitations).</summary>
public sealed record InvitationPolicy
{
    public const int MaxMinutesLimit = 7 * 24 * 60;

    /// <summary>The longest time limit an invitation may have.</summary>
    public TimeSpan MaxLifetime { get; init; } = TimeSpan.FromHours(8);

    /// <summary>The SQLite file the invitations are kept in; null: kept in memory (a test host).</summary>
    public string? JournalPath { get; init; }

    /// <summary>The address the invitation link starts with (the page the invitee opens); the code follows as
    /// <c>#invite=CODE</c>, in the fragment, so it reaches no server log.</summary>
    public string LinkBase { get; init; } = "http://127.0.0.1:5780/";

    public string LinkFor(string code) => LinkBase + "#invite=" + code;
}
