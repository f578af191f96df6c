using CathLab.Acquisition.Configuration;

namespace CathLab.Station.Configuration;

/// <summary>Station:Mail: the site's SMTP relay that e-mails invitation links; no Host: links are only shown to the inviter.</summary>
public sealed class MailOptions : IOptionsSection
{
    public const string Section = "Mail";

    public string Host { get; set; } = "";

    public int Port { get; set; } = 25;

    public string From { get; set; } = "";

    /// <summary>STARTTLS before the message is sent.</summary>
    public bool StartTls { get; set; }

    public bool Configured => Host.Length > 0;

    public IEnumerable<string> Problems(string at)
    {
        if (!Configured) yield break;
        if (!OptionsChecks.IsPort(Port)) yield return $"{at}:Port {Port} must be 1–65535";
        if (!From.Contains('@')) yield return $"{at}:From '{From}' must be an e-mail address (required with {at}:Host)";
    }
}
