namespace CathLab.LiveFeed.Security;

/// <summary>Who made a call, as established from the token it carried.</summary>
public sealed record CallerIdentity(string Subject, LiveFeedRole Role, IReadOnlyList<string> Exams)
{
    public bool MayWatch(string examId) => Role == LiveFeedRole.Technician || Exams.Contains("*") || Exams.Contains(examId);

    public bool Has(LiveFeedRole required) => Role >= required;
}
