using CathLab.Dicom.IO;
using CathLab.Dicom.Network.Association;
using CathLab.Dicom.Network.Dimse;
using CathLab.Dicom.Network.Part10;
using CathLab.Dicom.Network.Services;
using CathLab.Dicom.Network.Services.Store;
using CathLab.Dicom.Network.Status;
using CathLab.Publishing.Journal;
using Microsoft.Extensions.Logging;

namespace CathLab.Publishing.Delivery;

/// <summary>
/// Sends the destination's due objects on one association, streaming each file from disk. Each row goes Sending before
/// its C-STORE and Sent/Pending/Failed after it, one journal transaction each, so a kill mid-send leaves at most the one
/// row in flight as Sending (re-sent after restart).
/// </summary>
internal sealed class StoreBatchSender(PacsDestination destination, OutboxOptions options, OutboxJournal journal, DestinationReachability reachability, ILogger logger)
{
    private const int MaxContexts = 128;
    private readonly DicomPeer _peer = new(destination.Host, destination.Port, destination.AeTitle, options.CallingAeTitle);

    /// <summary>Returns how many due rows it dealt with (0: nothing was due).</summary>
    public async Task<int> SendDueAsync(CancellationToken cancellation)
    {
        var due = journal.DueForSending(destination.Name, options.BatchSize);
        if (due.Count == 0)
        {
            return 0;
        }
        var ready = ReadHeaders(due);
        if (ready.Count == 0)
        {
            return due.Count;
        }
        DicomAssociation association;
        try
        {
            association = await ScuAssociation.OpenAsync(_peer, options.Association, Contexts(ready), cancellation: cancellation).ConfigureAwait(false);
        }
        catch (DicomNetworkException e)
        {
            Unreachable(ready, e);
            return due.Count;
        }
        reachability.Answered();
        await using (association.ConfigureAwait(false))
        {
            var channel = new DimseChannel(association);
            foreach (var (row, meta) in ready)
            {
                if (!await SendOneAsync(association, channel, row, meta, cancellation).ConfigureAwait(false))
                {
                    reachability.Lost();
                    return due.Count; // the association is gone; the rest stay Pending and are taken on the next round
                }
            }
            try
            {
                await association.ReleaseAsync(cancellation).ConfigureAwait(false);
            }
            catch (DicomNetworkException e)
            {
                logger.LogDebug("release of the association to {Destination} failed: {Error}", destination.Name, e.Message);
            }
        }
        return due.Count;
    }

    private List<(DueDelivery Row, Part10Meta Meta)> ReadHeaders(IReadOnlyList<DueDelivery> due)
    {
        var ready = new List<(DueDelivery, Part10Meta)>();
        var syntaxes = new HashSet<(string, string)>();
        foreach (var row in due)
        {
            Part10Meta meta;
            try
            {
                meta = Part10Meta.Read(row.Path);
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                journal.MarkFailed(row.ObjectId, destination.Name, $"the file {row.Path} is gone");
                continue;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or DicomFormatException or EndOfStreamException)
            {
                journal.MarkFailed(row.ObjectId, destination.Name, $"the file {row.Path} cannot be read: {e.Message}");
                continue;
            }
            if (meta.SopInstanceUid != row.SopInstanceUid)
            {
                journal.MarkFailed(row.ObjectId, destination.Name, $"the file {row.Path} now holds SOP instance {meta.SopInstanceUid}, not {row.SopInstanceUid}");
                continue;
            }
            if (syntaxes.Add((meta.SopClassUid, meta.TransferSyntaxUid)) && syntaxes.Count > MaxContexts)
            {
                break; // one association holds 128 presentation contexts; the rest go on the next one
            }
            ready.Add((row, meta));
        }
        return ready;
    }

    private static IReadOnlyList<Dicom.Network.Pdus.PresentationContextProposal> Contexts(List<(DueDelivery Row, Part10Meta Meta)> ready) =>
        ScuAssociation.Contexts([.. ready.Select(r => (r.Meta.SopClassUid, r.Meta.TransferSyntaxUid)).Distinct()
            .Select(k => (k.SopClassUid, (IReadOnlyList<string>)[k.TransferSyntaxUid]))]);

    // No association: a transient cause backs off every row that is due now, not just this batch, so a PACS that is down
    // is not dialled again for each batch; a permanent one (rejected AE title, no context accepted) fails this batch.
    private void Unreachable(List<(DueDelivery Row, Part10Meta Meta)> ready, DicomNetworkException e)
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
            journal.MarkFailed(ready.Select(r => r.Row.ObjectId), destination.Name, message);
            logger.LogWarning("{Destination} refuses us: {Error}", destination.Name, e.Message);
        }
    }

    /// <summary>Sends one object and records the outcome; false when the association cannot carry on.</summary>
    private async Task<bool> SendOneAsync(DicomAssociation association, DimseChannel channel, DueDelivery row, Part10Meta meta, CancellationToken cancellation)
    {
        var context = association.FindContext(meta.SopClassUid, meta.TransferSyntaxUid);
        if (context is null)
        {
            journal.MarkFailed(row.ObjectId, destination.Name,
                $"{destination.AeTitle} accepted no presentation context for SOP class {meta.SopClassUid} in transfer syntax {meta.TransferSyntaxUid}");
            return true;
        }
        journal.MarkSending(row.ObjectId, destination.Name);
        AttemptVerdict verdict;
        var goOn = true;
        try
        {
            verdict = AttemptVerdict.Of(await StoreScu.SendOneAsync(channel, context, row.Path, meta, cancellation).ConfigureAwait(false));
        }
        catch (DicomNetworkException e)
        {
            verdict = AttemptVerdict.Of(e);
            goOn = false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            verdict = new AttemptVerdict(AttemptKind.RetryLater, $"reading {row.Path} while sending failed: {e.Message}");
            goOn = false;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // not a known failure: never leave the row Sending until the next restart; try again later
            logger.LogError(e, "unexpected failure sending {Sop} to {Destination}", row.SopInstanceUid, destination.Name);
            verdict = new AttemptVerdict(AttemptKind.RetryLater, $"unexpected failure while sending: {e.GetType().Name}: {e.Message}");
            goOn = false;
        }
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
        return goOn;
    }
}
