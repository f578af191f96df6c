namespace CathLab.Publishing.Intake;

/// <summary>A file offered to the outbox is not a complete DICOM object; nothing was added to the journal.</summary>
public sealed class OutboxFileRejectedException(string path, string reason, Exception? inner = null)
    : Exception($"outbox refused {path}: {reason}", inner)
{
    public string FilePath { get; } = path;
    public string Reason { get; } = reason;
}
