namespace CathLab.Publishing;

/// <summary>The outbox options cannot work; <see cref="Problems"/> says each thing to fix.</summary>
public sealed class OutboxOptionsException(IReadOnlyList<string> problems)
    : Exception("outbox options are invalid: " + string.Join("; ", problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
