namespace CathLab.Security.Access.Oidc;

/// <summary>The site's OpenID Connect provider as the station trusts it: whose tokens (issuer), for whom (audience),
/// and how a token's claims become a station role and a list of exams.</summary>
public sealed record OidcSettings
{
    /// <summary>The provider's issuer URL exactly as its tokens name it; its discovery document is at
    /// issuer + "/.well-known/openid-configuration".</summary>
    public required string Issuer { get; init; }

    /// <summary>The audience (aud) the provider puts in access tokens meant for this station.</summary>
    public required string Audience { get; init; }

    /// <summary>The claim whose value (or values) name the caller's role at the site.</summary>
    public required string RoleClaim { get; init; }

    /// <summary>Claim value → station role; a value not in the map gives no role. With several values the highest wins.</summary>
    public required IReadOnlyDictionary<string, StationRole> Roles { get; init; }

    /// <summary>The claim that lists the exams a caller may watch ("*" any); null: a non-technician may watch none.</summary>
    public string? ExamsClaim { get; init; }

    /// <summary>How far the station's clock and the provider's may disagree on a token's lifetime.</summary>
    public TimeSpan ClockSkew { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The least time between two key fetches forced by a token signed with an unknown key: a new key is
    /// fetched at once the first time, and a flood of forged key ids cannot make the station hammer the provider.</summary>
    public TimeSpan KeyRefreshInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The discovery document's address. HTTPS is required unless the issuer is on this machine (loopback).</summary>
    public Uri DiscoveryAddress => new(Issuer.TrimEnd('/') + "/.well-known/openid-configuration");

    public bool MayUsePlainHttp => DiscoveryAddress.IsLoopback;
}
