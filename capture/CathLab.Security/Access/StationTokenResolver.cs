using CathLab.Security.Access.Oidc;

namespace CathLab.Security.Access;

/// <summary>The station's resolver: a configured static token first (machines, the embedded default), then, when a
/// provider is configured, a JWT access token from it. Without a provider only the static tokens are accepted.</summary>
public sealed class StationTokenResolver(TokenStore statics, OidcTokenValidator? provider) : IAccessTokenResolver
{
    public async ValueTask<TokenCheck> ResolveAsync(string? presented, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(presented)) return TokenCheck.Refused(TokenCheck.NoToken);
        if (statics.TryResolve(presented, out var caller)) return TokenCheck.Accepted(caller!);
        if (provider is null || !OidcTokenValidator.LooksLikeJwt(presented)) return TokenCheck.Refused(TokenCheck.NotRecognised);
        return await provider.ValidateAsync(presented, ct);
    }
}
