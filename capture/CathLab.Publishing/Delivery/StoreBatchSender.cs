using CathLab.Dicom.Network.Client;
using CathLab.Dicom.Network.Services.Store;
using CathLab.Dicom.Network.Status;
using CathLab.Publishing.Journal;
using Microsoft.Extensions.Logging;

namespace CathLab.Publishing.Delivery;

/// <summary>
/// Sends the destination's due objects through the DICOM client, one association per batch, streaming each file from disk.
/// Each row goes Sending before its C-STORE and Sent/Pending/Failed after it, one journal transaction each (the client tells
/// this sender before and after each object), so a kill mid-send leaves at most the one row in flight as Sending (re-sent
/// after restart).
/// </summary>
internal sealed class StoreBatchSender(PacsDestination destination, DicomClient client, OutboxOptions options, OutboxJournal journal, DestinationReachability reachability, ILogger logger)
    : IObjectSender
{
    /// <summary>Returns how many due rows it dealt with (0: nothing was due).</summary>
    public async Task<int> SendDueAsync(CancellationToken cancellation)
    {
        var due = journal.DueForSending(destination.Name, options.BatchSize);
        if (due.Count == 0)
        {
            return 0;
        }
        var rows = new Dictionary<StoreRequest, DueDelivery>(ReferenceEqualityComparer.Instance);
        foreach (var row in due)
        {
            rows.Add(new StoreRequest(row.Path, row.SopInstanceUid), row);
        }
        var journalling = new Journalling(this, rows);
        try
        {
            await client.StoreAsync(rows.Keys, journalling, cancellation).ConfigureAwait(false);
        }
        catch (DicomNetworkException e)
        {
            Unreachable(journalling.NotYetDone, e);
        }
        catch (Exception e) when (e is not OperationCanceledException && journalling.InFlight is { } row)
        {
            // not a known failure: never leave the row Sending until the next restart; try again later
            logger.LogError(e, "unexpected failure sending {Sop} to {Destination}", row.SopInstanceUid, destination.Name);
            journal.MarkRetry(row.ObjectId, destination.Name, $"unexpected failure while sending: {e.GetType().Name}: {e.Message}", options.Backoff.After);
        }
        return due.Count;
    }

    // No association: a transient cause backs off every row that is due now, not just this batch, so a PACS that is down
    // is not dialled again for each batch; a permanent one (rejected AE title, no context accepted) fails this batch.
    private void Unreachable(IReadOnlyList<DueDelivery> batch, DicomNetworkException e)
    {
        var verdict = AttemptVerdict.Of(e);
        var message = $"cannot associate with {destination.AeTitle}@{destination.Host}:{destination.Port}: {verdict.Message}";
        if (verdict.Kind == AttemptKind.RetryLater)
        {
            var all = journal.DueForSending(destination.Name, int.MaxValue).Select(r => r.ObjectId);
            journal.MarkRetry(all, destination.Name, message, options.Backoff.After);
            reachability.Lost();
            logger.LogInformation("{Destination} unreachable, will retry: {Error}", destination.Name, e.Message);
        }
        else
        {
            journal.MarkFailed(batch.Select(r => r.ObjectId), destination.Name, message);
            logger.LogWarning("{Destination} refuses us: {Error}", destination.Name, e.Message);
        }
    }

    /// <summary>An association is open and the row's C-STORE is about to go out.</summary>
    private void Started(DueDelivery row)
    {
        reachability.Answered();
        journal.MarkSending(row.ObjectId, destination.Name);
    }

    /// <summary>Records one object's outcome in the journal.</summary>
    private void Record(DueDelivery row, StoreResult result)
    {
        if (!result.Attempted && result.Error is { IsTransient: true })
        {
            return; // the association broke off before this one: it stays Pending and is taken on the next round
        }
        var verdict = result.Status is { } status ? AttemptVerdict.Of(status) : AttemptVerdict.Of(result.Error!);
        switch (verdict.Kind)
        {
            case AttemptKind.Stored:
                journal.MarkSent(row.ObjectId, destination.Name, final: !destination.RequestCommitment, verdict.Message);
                break;
            case AttemptKind.RetryLater:
                journal.MarkRetry(row.ObjectId, destination.Name, verdict.Message!, options.Backoff.After);
                logger.LogInformation("{Sop} to {Destination}: will retry ({Error})", row.SopInstanceUid, destination.Name, verdict.Message);
                break;
            default:
                journal.MarkFailed(row.ObjectId, destination.Name, verdict.Message!);
                logger.LogWarning("{Sop} to {Destination} failed for good: {Error}", row.SopInstanceUid, destination.Name, verdict.Message);
                break;
        }
        if (result.Error is { IsTransient: true })
        {
            reachability.Lost(); // the association is gone
        }
    }

    /// <summary>Turns the client's progress into journal rows: Sending before a C-STORE, the outcome after it.</summary>
    private sealed class Journalling(StoreBatchSender sender, Dictionary<StoreRequest, DueDelivery> rows) : IStoreProgress
    {
        private readonly HashSet<DueDelivery> _done = [];

        public DueDelivery? InFlight { get; private set; }

        public IReadOnlyList<DueDelivery> NotYetDone => [.. rows.Values.Where(r => !_done.Contains(r))];

        public void Sending(StoreRequest request)
        {
            InFlight = rows[request];
            sender.Started(InFlight);
        }

        public void Completed(StoreResult result)
        {
            var row = rows[result.Request];
            InFlight = null;
            _done.Add(row);
            sender.Record(row, result);
        }
    }
}
