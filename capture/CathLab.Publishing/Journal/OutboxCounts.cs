namespace CathLab.Publishing.Journal;

/// <summary>How many deliveries (object × destination) are in each state.</summary>
public sealed record OutboxCounts(int Pending, int Sending, int Sent, int Committed, int Failed)
{
    /// <summary>Not yet safe at the PACS: pending, sending or waiting for commitment.</summary>
    public int Outstanding => Pending + Sending + Sent;
}
