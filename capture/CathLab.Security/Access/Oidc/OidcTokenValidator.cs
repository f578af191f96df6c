using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace CathLab.Security.Access.Oidc;

/// <summary>Validates an access token from the site's provider: signature against the keys its discovery document
/// publishes (fetched on first use, refreshed periodically by ConfigurationManager, and refetched at once when a token names a
/// key not yet seen, so a key rotation needs no restart), issuer, audience and lifetime against <see cref="TimeProvider"/> within the
/// clock skew; then maps its claims to a <see cref="CallerIdentity"/>.</summary>
public sealed class OidcTokenValidator
{
    private readonly OidcSettings _settings;
    private readonly TimeProvider _clock;
    private readonly HttpDocumentRetriever _documents;
    private readonly JsonWebTokenHandler _handler = new();
    private readonly Lock _refetch = new();
    private ConfigurationManager<OpenIdConnectConfiguration> _provider;
    private DateTimeOffset? _lastRefetch;

    public OidcTokenValidator(OidcSettings settings, TimeProvider clock, HttpClient? http = null)
    {
        _settings = settings;
        _clock = clock;
        _documents = new HttpDocumentRetriever(http ?? new HttpClient()) { RequireHttps = !settings.MayUsePlainHttp };
        _provider = NewManager();
    }

    /// <summary>Three dot-separated parts: a JWS compact serialisation (a static token never has that shape by accident
    /// often enough to matter: it is tried first).</summary>
    public static bool LooksLikeJwt(string token) => token.AsSpan().Count('.') == 2;

    public async ValueTask<TokenCheck> ValidateAsync(string token, CancellationToken ct)
    {
        JsonWebToken unverified;
        try
        {
            unverified = _handler.ReadJsonWebToken(token);
        }
        catch (ArgumentException)
        {
            return TokenCheck.Refused("not a readable JWT");
        }
        if (unverified.Issuer != _settings.Issuer) return TokenCheck.Refused($"issued by '{unverified.Issuer}', not by the configured provider");
        OpenIdConnectConfiguration keys;
        try
        {
            keys = await _provider.GetConfigurationAsync(ct);
        }
        catch (InvalidOperationException e)
        {
            return TokenCheck.Refused($"the provider's keys cannot be fetched: {e.Message}");
        }
        var result = await _handler.ValidateTokenAsync(token, ParametersWith(keys));
        if (result.Exception is SecurityTokenSignatureKeyNotFoundException && MayRefetch())
        {
            try
            {
                keys = await _provider.GetConfigurationAsync(ct);
                result = await _handler.ValidateTokenAsync(token, ParametersWith(keys));
            }
            catch (InvalidOperationException e)
            {
                return TokenCheck.Refused($"the provider's keys cannot be fetched: {e.Message}");
            }
        }
        if (!result.IsValid) return TokenCheck.Refused(WhyInvalid(result.Exception, unverified));
        var jwt = (JsonWebToken)result.SecurityToken;
        return LifetimeProblem(jwt) is { } late ? TokenCheck.Refused(late) : IdentityOf(jwt);
    }

    /// <summary>A token names a key not seen: the provider may have rotated its keys. A fresh manager fetches the
    /// discovery document and key set at once (an existing one may answer from its cache while it refreshes in the
    /// background); at most once per <see cref="OidcSettings.KeyRefreshInterval"/>, the first time always.</summary>
    private bool MayRefetch()
    {
        var now = _clock.GetUtcNow();
        lock (_refetch)
        {
            if (_lastRefetch is { } last && now - last < _settings.KeyRefreshInterval) return false;
            _lastRefetch = now;
            _provider = NewManager();
            return true;
        }
    }

    private ConfigurationManager<OpenIdConnectConfiguration> NewManager() =>
        new(_settings.DiscoveryAddress.AbsoluteUri, new OpenIdConnectConfigurationRetriever(), _documents) { RefreshInterval = _settings.KeyRefreshInterval };

    private TokenValidationParameters ParametersWith(OpenIdConnectConfiguration keys) => new()
    {
        ValidIssuer = _settings.Issuer,
        ValidAudience = _settings.Audience,
        IssuerSigningKeys = keys.SigningKeys,
        ValidateLifetime = false, // checked against the station's TimeProvider below, with its own reasons
        RequireSignedTokens = true,
        TryAllIssuerSigningKeys = false,
    };

    private string? LifetimeProblem(JsonWebToken jwt)
    {
        var now = _clock.GetUtcNow().UtcDateTime;
        if (!jwt.TryGetPayloadValue<long>(JwtRegisteredClaimNames.Exp, out _)) return "the token has no expiry (exp)";
        if (now > jwt.ValidTo + _settings.ClockSkew) return $"the token expired at {jwt.ValidTo:u}";
        if (jwt.ValidFrom != DateTime.MinValue && now + _settings.ClockSkew < jwt.ValidFrom) return $"the token is not valid before {jwt.ValidFrom:u}";
        return null;
    }

    private TokenCheck IdentityOf(JsonWebToken jwt)
    {
        string subject = jwt.TryGetPayloadValue<string>(JwtRegisteredClaimNames.Sub, out var sub) && !string.IsNullOrEmpty(sub) ? sub
            : jwt.TryGetPayloadValue<string>("preferred_username", out var name) && !string.IsNullOrEmpty(name) ? name : "";
        if (subject.Length == 0) return TokenCheck.Refused("the token names no subject (sub or preferred_username)");
        var roles = ValuesOf(jwt, _settings.RoleClaim).Where(_settings.Roles.ContainsKey).Select(v => _settings.Roles[v]).ToList();
        if (roles.Count == 0) return TokenCheck.Refused($"{subject}: no value of the '{_settings.RoleClaim}' claim maps to a station role");
        var exams = _settings.ExamsClaim is { } claim ? ValuesOf(jwt, claim).ToArray() : [];
        return TokenCheck.Accepted(new CallerIdentity(subject, roles.Max(), exams));
    }

    /// <summary>A claim's values, whether the provider sends one string, a space- or comma-separated string, or an array.</summary>
    private static IEnumerable<string> ValuesOf(JsonWebToken jwt, string claim) =>
        jwt.Claims.Where(c => c.Type == claim).SelectMany(c => c.Value.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private string WhyInvalid(Exception? e, JsonWebToken unverified) => e switch
    {
        SecurityTokenSignatureKeyNotFoundException => $"signed with a key the provider does not publish (kid '{unverified.Kid}')",
        SecurityTokenInvalidSignatureException => "the signature does not verify",
        SecurityTokenInvalidAudienceException => $"not meant for this station (audience is not '{_settings.Audience}')",
        SecurityTokenInvalidIssuerException => "issued by another provider",
        null => "invalid token",
        _ => $"invalid token ({e.GetType().Name})",
    };
}
