using CathLab.Acquisition.Configuration;
using CathLab.Security.Access;
using CathLab.Security.Access.Oidc;

namespace CathLab.Station.Configuration;

/// <summary>A role as the site's provider names it. The station has two roles of its own: a physician watches the
/// exams its exams claim lists, as an observer does; an administrator may control the station, as a technician.</summary>
public enum SiteRole { Observer, Physician, Technician, Administrator }

/// <summary>The site's OpenID Connect provider (Station:Oidc); no Authority: none, only the static tokens are accepted.
/// docs/identity.md says how a site connects its provider.</summary>
public sealed class OidcOptions : IOptionsSection
{
    public const string Section = "Oidc";

    /// <summary>The provider's issuer URL, exactly as its tokens carry it in iss.</summary>
    public string Authority { get; set; } = "";

    /// <summary>The aud the provider puts in access tokens for this station.</summary>
    public string Audience { get; set; } = "";

    /// <summary>The claim that carries the caller's role (cathlab_role, roles, ...).</summary>
    public string RoleClaim { get; set; } = "";

    /// <summary>Claim value → role at the station (Station:Oidc:Roles:&lt;value&gt;=technician|physician|observer|administrator).</summary>
    public Dictionary<string, SiteRole> Roles { get; set; } = [];

    /// <summary>The claim listing the exams a non-technician may watch; empty: such a caller watches none.</summary>
    public string ExamsClaim { get; set; } = "";

    /// <summary>The web page's client at the provider (public, authorization code with PKCE); empty: the page offers no
    /// provider sign-in (tokens from the provider are still accepted, e.g. from scripts).</summary>
    public string ClientId { get; set; } = "";

    /// <summary>The scopes the page asks for.</summary>
    public string Scope { get; set; } = "openid profile";

    public int ClockSkewSeconds { get; set; } = 30;

    /// <summary>The least time between two key fetches forced by tokens signed with a key not seen before.</summary>
    public int KeyRefreshSeconds { get; set; } = 30;

    public bool Configured => Authority.Length > 0;

    public IEnumerable<string> Problems(string at)
    {
        if (!Configured) yield break;
        if (!Uri.TryCreate(Authority, UriKind.Absolute, out var issuer) || !(issuer.Scheme == "https" || (issuer.Scheme == "http" && issuer.IsLoopback)))
            yield return $"{at}:Authority '{Authority}' must be an https URL (plain http only on this machine, 127.0.0.1)";
        if (string.IsNullOrWhiteSpace(Audience)) yield return $"{at}:Audience is required with {at}:Authority";
        if (string.IsNullOrWhiteSpace(RoleClaim)) yield return $"{at}:RoleClaim is required with {at}:Authority";
        if (Roles.Count == 0) yield return $"{at}:Roles must map at least one value of the role claim ({at}:Roles:<value>=technician|physician|observer|administrator)";
        foreach (var (value, role) in Roles)
        {
            if (!Enum.IsDefined(role)) yield return $"{at}:Roles:{value} '{role}' must be technician, physician, observer or administrator";
        }
        if (ClockSkewSeconds is < 0 or > 300) yield return $"{at}:ClockSkewSeconds {ClockSkewSeconds} must be 0–300";
        if (KeyRefreshSeconds is < 1 or > 3600) yield return $"{at}:KeyRefreshSeconds {KeyRefreshSeconds} must be 1–3600";
    }

    /// <summary>The validator's settings; null when no provider is configured.</summary>
    public OidcSettings? ToSettings() => !Configured ? null : new OidcSettings
    {
        Issuer = Authority,
        Audience = Audience,
        RoleClaim = RoleClaim,
        Roles = Roles.ToDictionary(r => r.Key, r => StationRoleOf(r.Value), StringComparer.Ordinal),
        ExamsClaim = ExamsClaim.Length > 0 ? ExamsClaim : null,
        ClockSkew = TimeSpan.FromSeconds(ClockSkewSeconds),
        KeyRefreshInterval = TimeSpan.FromSeconds(KeyRefreshSeconds),
    };

    public static StationRole StationRoleOf(SiteRole role) => role is SiteRole.Technician or SiteRole.Administrator ? StationRole.Technician : StationRole.Observer;
}
