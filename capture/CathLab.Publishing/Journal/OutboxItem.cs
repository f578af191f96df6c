namespace CathLab.Publishing.Journal;

/// <summary>One object at one destination, for the console. <see cref="Id"/> is the object's id (what Retry takes);
/// <see cref="Permanent"/> says the last failure will not heal by itself.</summary>
public sealed record OutboxItem(
    long Id,
    string SopInstanceUid,
    string Description,
    string Destination,
    DeliveryState State,
    int Attempts,
    string? LastError,
    DateTimeOffset UpdatedAt,
    bool Permanent,
    DateTimeOffset NextAttemptAt,
    string Path,
    long Size,
    DateTimeOffset AddedAt,
    bool FileReleased);
