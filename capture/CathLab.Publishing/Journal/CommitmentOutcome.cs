namespace CathLab.Publishing.Journal;

/// <summary>What one storage commitment report changed in the journal.</summary>
public sealed record CommitmentOutcome(string Destination, int Committed, int FailedForResend);
