namespace CathLab.Security.Access;

/// <summary>One configured token: who holds it, its role, and which exams it may watch ("*" = any).
/// Give either the token itself (hashed when loaded; never kept) or its SHA-256 in hex.</summary>
public sealed record TokenGrant
{
    public required string Subject { get; init; }

    public StationRole Role { get; init; } = StationRole.Observer;

    public string? Token { get; init; }

    public string? TokenSha256 { get; init; }

    public IReadOnlyList<string> Exams { get; init; } = [];
}
