using CathLab.Dicom.Network.Client;
using CathLab.Dicom.Network.Services.StorageCommitment;
using CathLab.Dicom.Network.Status;
using CathLab.Publishing.Journal;
using Microsoft.Extensions.Logging;

namespace CathLab.Publishing.Commitment;

/// <summary>
/// Asks one destination to commit the objects it has stored (one N-ACTION for all that are due) and records the
/// transaction UID before anything else, so a report that arrives after a restart still finds its rows. The report
/// itself is handed to <paramref name="onReport"/>, whichever association it came on.
/// </summary>
internal sealed class CommitmentRequester(PacsDestination destination, DicomClient client, OutboxOptions options, OutboxJournal journal,
    CommitmentTracker tracker, Action<CommitmentReport> onReport, Delivery.DestinationReachability reachability, ILogger logger)
{
    private const int MaxReferences = 500;
    private int _failuresInARow;

    /// <summary>Returns how many rows it asked about (0: none was due).</summary>
    public async Task<int> RequestDueAsync(CancellationToken cancellation)
    {
        if (!destination.RequestCommitment)
        {
            return 0;
        }
        var due = journal.DueForCommitment(destination.Name, MaxReferences);
        if (due.Count == 0)
        {
            return 0;
        }
        string transaction;
        Task<CommitmentReport> report;
        try
        {
            (transaction, report) = await client.StorageCommitmentAsync([.. due.Select(d => new SopReference(d.SopClassUid, d.SopInstanceUid))], tracker,
                options.SameAssociationReportWait, cancellation).ConfigureAwait(false);
        }
        catch (DicomNetworkException e)
        {
            // The objects are stored either way; only the promise to keep them is missing, so a refusal is retried too,
            // after the commitment timeout rather than the back-off.
            var wait = e.IsTransient ? options.Backoff.After(++_failuresInARow) : options.CommitmentTimeout;
            if (e.IsTransient) reachability.Lost();
            journal.DeferCommitment(destination.Name, due, $"storage commitment request to {destination.AeTitle} failed: {e.Message}", wait);
            logger.LogInformation("storage commitment request to {Destination} failed: {Error}", destination.Name, e.Message);
            return due.Count;
        }
        _failuresInARow = 0;
        reachability.Answered();
        foreach (var superseded in journal.RecordCommitmentRequested(destination.Name, transaction, due, options.CommitmentTimeout))
        {
            tracker.Forget(superseded);
        }
        _ = report.ContinueWith(t =>
        {
            if (t.IsCompletedSuccessfully)
            {
                onReport(t.Result);
            }
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return due.Count;
    }
}
