namespace CathLab.Security.Access;

/// <summary>Turns the bearer a caller presented into its identity, or says why it is refused. Every place that accepts a
/// token (gRPC, the console and viewer sockets, the discussion, the HTTP run list) asks one of these.</summary>
public interface IAccessTokenResolver
{
    ValueTask<TokenCheck> ResolveAsync(string? presented, CancellationToken ct);
}

/// <summary>The outcome of a token check: the caller, or the reason for the refusal (for the audit trail and the answer).</summary>
public readonly record struct TokenCheck(CallerIdentity? Caller, string Refusal)
{
    public const string NoToken = "no token";
    public const string NotRecognised = "token not recognised";

    public static TokenCheck Accepted(CallerIdentity caller) => new(caller, "");

    public static TokenCheck Refused(string why) => new(null, why);
}
