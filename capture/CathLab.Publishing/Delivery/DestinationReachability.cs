using CathLab.Publishing.Journal;
using Microsoft.Extensions.Logging;

namespace CathLab.Publishing.Delivery;

/// <summary>
/// Whether a destination was last seen unreachable, and what to do when it answers again: a PACS that went down may have
/// lost the storage commitment reports it owed (Orthanc sends them once, right after the N-ACTION), so every commitment
/// still waiting for a report is asked again at once instead of after the commitment timeout. Asking twice is harmless:
/// a report for an older transaction is still applied. Used by one destination loop only.
/// </summary>
internal sealed class DestinationReachability(PacsDestination destination, OutboxJournal journal, ILogger logger)
{
    private bool _lost;

    /// <summary>An association could not be opened or broke off for a transient reason.</summary>
    public void Lost() => _lost = true;

    /// <summary>An association was opened (or an N-ACTION accepted): after a loss, the open commitments fall due now.</summary>
    public void Answered()
    {
        if (!_lost) return;
        _lost = false;
        int reasked = journal.ReaskOpenCommitments(destination.Name);
        if (reasked > 0)
            logger.LogInformation("{Destination} answers again: asking again for {Count} object(s) whose commitment report may have been lost", destination.Name, reasked);
    }
}
