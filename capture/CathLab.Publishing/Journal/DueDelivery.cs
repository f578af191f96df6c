namespace CathLab.Publishing.Journal;

/// <summary>A delivery whose next action is due: a send (Pending) or a commitment request (Sent).</summary>
public sealed record DueDelivery(long ObjectId, string Path, string SopClassUid, string SopInstanceUid, int Attempts, string? CommitmentUid);
