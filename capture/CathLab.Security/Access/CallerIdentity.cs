namespace CathLab.Security.Access;

/// <summary>Who made a call, as established from the token it carried.</summary>
public sealed record CallerIdentity(string Subject, StationRole Role, IReadOnlyList<string> Exams)
{
    /// <summary>The email claim of a provider's token, for matching an invitation sent to an address.</summary>
    public string? Email { get; init; }

    /// <summary>When the token or grant stops being valid; null: never (a static token).</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>The digest of the presented token: one sign-in of a person, whose open streams end together when it
    /// expires, idles or is revoked. Null for a machine's static token, which never idles.</summary>
    public string? Session { get; init; }

    /// <summary>The invitation a session grant came from; null for any other sign-in.</summary>
    public string? Invitation { get; init; }

    /// <summary>An invited consultant: may join the discussion and take the floor (an invited observer only watches).</summary>
    public bool Consultant { get; init; }

    public bool MayWatch(string examId) => Role == StationRole.Technician || Exams.Contains("*") || Exams.Contains(examId);

    public bool Has(StationRole required) => Role >= required;
}
