using CathLab.Station.Configuration;

namespace CathLab.Station.Web;

/// <summary>GET /auth/config, without a token: which provider the page may sign in with (its issuer, the page's client
/// id, the scopes), or <c>{"provider":false}</c> when none is offered. Nothing secret: a public client has no secret.</summary>
internal static class SignInConfiguration
{
    public const string Path = "/auth/config";

    /// <summary>A host without the station's options (a test host of the console alone) has no provider to name.</summary>
    public static IResult Answer(StationOptions? options)
    {
        var oidc = options?.Oidc;
        if (oidc is null || !oidc.Configured || oidc.ClientId.Length == 0) return Results.Json(new { provider = false });
        return Results.Json(new { provider = true, authority = oidc.Authority, clientId = oidc.ClientId, scope = oidc.Scope });
    }
}
