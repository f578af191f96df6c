namespace CathLab.Security.Access;

/// <summary>Who made a call, as established from the token it carried.</summary>
public sealed record CallerIdentity(string Subject, StationRole Role, IReadOnlyList<string> Exams)
{
    public bool MayWatch(string examId) => Role == StationRole.Technician || Exams.Contains("*") || Exams.Contains(examId);

    public bool Has(StationRole required) => Role >= required;
}
