using CathLab.Acquisition.Configuration;

namespace CathLab.Station.Configuration;

/// <summary>Station:Security: how long a person's session lasts without input from its client.</summary>
public sealed class SecurityOptions : IOptionsSection
{
    public const string Section = "Security";
    public const int MaxIdleMinutes = 24 * 60;

    /// <summary>A person's sign-in (a provider's token, an invitation's grant) ends after this many minutes without input
    /// from its client, and its open streams close; 0: only at the token's or grant's expiry. Static tokens never idle.</summary>
    public int IdleMinutes { get; set; } = 30;

    public IEnumerable<string> Problems(string at)
    {
        if (IdleMinutes is < 0 or > MaxIdleMinutes) yield return $"{at}:IdleMinutes {IdleMinutes} must be 0–{MaxIdleMinutes} (0: no idle limit)";
    }
}
