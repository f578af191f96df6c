using System.Security.Cryptography;
using System.Text;
using CathLab.Security.Access.Oidc;
using CathLab.Security.Invitations;
using CathLab.Security.Sessions;

namespace CathLab.Security.Access;

/// <summary>The station's resolver: a configured static token first (machines, the embedded default), then an
/// invitation's session grant, then, when a provider is configured, a JWT access token from it. A person's sign-in (a
/// grant or a provider's token) is refused once its session is over (<see cref="SessionLifetimes"/>); each accepted
/// call counts as input to it.</summary>
public sealed class StationTokenResolver(TokenStore statics, OidcTokenValidator? provider, InvitationDesk? invitations = null, SessionLifetimes? sessions = null)
    : IAccessTokenResolver
{
    public async ValueTask<TokenCheck> ResolveAsync(string? presented, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(presented)) return TokenCheck.Refused(TokenCheck.NoToken);
        if (statics.TryResolve(presented, out var caller)) return TokenCheck.Accepted(caller!);
        var check = invitations?.ResolveGrant(presented) ?? await FromProviderAsync(presented, requireRole: true, ct);
        if (check.Caller is not { } person || sessions is null) return check;
        return sessions.Admit(person) is { } over ? TokenCheck.Refused(over) : check;
    }

    /// <summary>Who signed in, for redeeming an invitation: a static token's holder, or a provider's user whether or not
    /// a role of the station maps to them. A session grant is refused here.</summary>
    public async ValueTask<TokenCheck> ResolvePersonAsync(string? presented, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(presented)) return TokenCheck.Refused(TokenCheck.NoToken);
        if (statics.TryResolve(presented, out var caller)) return TokenCheck.Accepted(caller!);
        if (presented.StartsWith(InvitationDesk.GrantPrefix, StringComparison.Ordinal)) return TokenCheck.Refused("a session grant cannot redeem an invitation: sign in as yourself");
        return await FromProviderAsync(presented, requireRole: false, ct);
    }

    private async ValueTask<TokenCheck> FromProviderAsync(string presented, bool requireRole, CancellationToken ct)
    {
        if (provider is null || !OidcTokenValidator.LooksLikeJwt(presented)) return TokenCheck.Refused(TokenCheck.NotRecognised);
        var check = await provider.ValidateAsync(presented, requireRole, ct);
        return check.Caller is { } person ? TokenCheck.Accepted(person with { Session = SessionOf(presented) }) : check;
    }

    private static string SessionOf(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
