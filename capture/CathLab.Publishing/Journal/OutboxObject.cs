namespace CathLab.Publishing.Journal;

/// <summary>A complete Part 10 file accepted into the outbox, as the journal's objects table keeps it.</summary>
public sealed record OutboxObject(
    string Path,
    string SopClassUid,
    string SopInstanceUid,
    string? StudyInstanceUid,
    string Description,
    long Size);
