using CathLab.Acquisition.Configuration;
using CathLab.Security.Invitations;

namespace CathLab.Station.Configuration;

/// <summary>Station:Invitations: the longest time limit of an invitation, where they are kept, and the page the link opens.</summary>
public sealed class InvitationOptions : IOptionsSection
{
    public const string Section = "Invitations";

    public int MaxMinutes { get; set; } = 8 * 60;

    /// <summary>The SQLite file, relative to the working directory.</summary>
    public string JournalPath { get; set; } = "invitations.db";

    /// <summary>The address of the station's page as the invitee reaches it (a public name, a proxy); empty: WebUrl.</summary>
    public string LinkBase { get; set; } = "";

    public IEnumerable<string> Problems(string at)
    {
        if (MaxMinutes is < 1 or > InvitationPolicy.MaxMinutesLimit) yield return $"{at}:MaxMinutes {MaxMinutes} must be 1–{InvitationPolicy.MaxMinutesLimit}";
        if (string.IsNullOrWhiteSpace(JournalPath)) yield return $"{at}:JournalPath must name a file";
        if (LinkBase.Length > 0 && !(Uri.TryCreate(LinkBase, UriKind.Absolute, out var link) && link.Scheme is "http" or "https"))
            yield return $"{at}:LinkBase '{LinkBase}' must be an http or https URL";
    }

    public InvitationPolicy ToPolicy(string webUrl) => new()
    {
        MaxLifetime = TimeSpan.FromMinutes(MaxMinutes),
        JournalPath = Path.GetFullPath(JournalPath),
        LinkBase = (LinkBase.Length > 0 ? LinkBase : webUrl).TrimEnd('/') + "/",
    };
}
