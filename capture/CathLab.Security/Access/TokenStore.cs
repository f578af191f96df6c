using System.Security.Cryptography;
using System.Text;

namespace CathLab.Security.Access;

/// <summary>Resolves a presented token to its grant by comparing SHA-256 digests in constant time against
/// every configured token, so neither the match nor its position leaks through timing.</summary>
public sealed class TokenStore : IAccessTokenResolver
{
    private readonly (byte[] Digest, CallerIdentity Identity)[] _entries;

    public TokenStore(IEnumerable<TokenGrant> grants)
    {
        _entries = grants.Select(g => (DigestOf(g), new CallerIdentity(g.Subject, g.Role, g.Exams.ToArray()))).ToArray();
    }

    public bool TryResolve(string? presented, out CallerIdentity? identity)
    {
        identity = null;
        if (string.IsNullOrEmpty(presented)) return false;
        Span<byte> digest = stackalloc byte[32];
        int max = Encoding.UTF8.GetMaxByteCount(presented.Length);
        byte[] utf8 = new byte[max];
        int n = Encoding.UTF8.GetBytes(presented, utf8);
        SHA256.HashData(utf8.AsSpan(0, n), digest);
        foreach (var (stored, id) in _entries)
        {
            if (CryptographicOperations.FixedTimeEquals(stored, digest) && identity is null) identity = id;
        }
        return identity is not null;
    }

    public ValueTask<TokenCheck> ResolveAsync(string? presented, CancellationToken ct) =>
        ValueTask.FromResult(TryResolve(presented, out var caller) ? TokenCheck.Accepted(caller!)
            : TokenCheck.Refused(string.IsNullOrEmpty(presented) ? TokenCheck.NoToken : TokenCheck.NotRecognised));

    public static string Sha256Hex(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static byte[] DigestOf(TokenGrant grant)
    {
        if (string.IsNullOrWhiteSpace(grant.Subject)) throw new ArgumentException("a token grant needs a subject", nameof(grant));
        if (!Enum.IsDefined(grant.Role)) throw new ArgumentException($"token grant for {grant.Subject}: unknown role {grant.Role}", nameof(grant));
        if (grant.TokenSha256 is { } hex)
        {
            var digest = Convert.FromHexString(hex);
            if (digest.Length != 32) throw new ArgumentException($"token grant for {grant.Subject}: the SHA-256 must be 64 hex digits", nameof(grant));
            return digest;
        }
        if (string.IsNullOrEmpty(grant.Token)) throw new ArgumentException($"token grant for {grant.Subject} has neither a token nor a SHA-256", nameof(grant));
        return SHA256.HashData(Encoding.UTF8.GetBytes(grant.Token));
    }
}
