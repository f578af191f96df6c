using System.Net;
using System.Net.Http.Headers;
using CathLab.Publishing.Journal;
using Microsoft.Extensions.Logging;

namespace CathLab.Publishing.Delivery;

/// <summary>
/// Sends the destination's due objects by STOW-RS (PS3.18 10.5): one POST to <c>{root}studies</c> per object, the file
/// streamed from disk as the one <c>application/dicom</c> part of a <c>multipart/related</c> body, chunked, so no object
/// is held in memory and a link cut mid-object costs that object alone (it is sent again whole; the archive keeps one
/// instance per SOP Instance UID). The archive's answer is read per instance: stored (the row is done: the DICOMweb
/// equivalent of the commitment), failed for now (retried after the back-off) or for good (failed with its reason).
/// </summary>
internal sealed class StowRsSender(PacsDestination destination, HttpClient http, OutboxOptions options, OutboxJournal journal, ILogger logger) : IObjectSender
{
    private readonly Uri _studies = new(destination.DicomWeb!, "studies");

    public async Task<int> SendDueAsync(CancellationToken cancellation)
    {
        var due = journal.DueForSending(destination.Name, options.BatchSize);
        foreach (var row in due)
        {
            journal.MarkSending(row.ObjectId, destination.Name);
            try
            {
                await SendAsync(row, cancellation).ConfigureAwait(false);
            }
            catch (HttpRequestException e)
            {
                // No answer at all (refused, reset, cut mid-body): this row and every other one due wait for the back-off.
                var message = $"STOW-RS to {_studies} failed: {e.Message}";
                journal.MarkRetry(row.ObjectId, destination.Name, message, options.Backoff.After);
                journal.MarkRetry(journal.DueForSending(destination.Name, int.MaxValue).Select(r => r.ObjectId), destination.Name, message, options.Backoff.After);
                logger.LogInformation("{Destination} unreachable by STOW-RS, will retry: {Error}", destination.Name, e.Message);
                break;
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellation.IsCancellationRequested)
            {
                logger.LogError(e, "unexpected failure sending {Sop} to {Destination} by STOW-RS", row.SopInstanceUid, destination.Name);
                journal.MarkRetry(row.ObjectId, destination.Name, $"unexpected failure while sending: {e.GetType().Name}: {e.Message}", options.Backoff.After);
            }
        }
        return due.Count;
    }

    private async Task SendAsync(DueDelivery row, CancellationToken cancellation)
    {
        await using var file = new FileStream(row.Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        var part = new StreamContent(file, 1 << 16);
        part.Headers.ContentType = new MediaTypeHeaderValue("application/dicom");
        using var body = new MultipartContent("related", "cathlab-" + Guid.NewGuid().ToString("N")) { part };
        body.Headers.ContentType!.Parameters.Add(new NameValueHeaderValue("type", "\"application/dicom\""));
        using var request = new HttpRequestMessage(HttpMethod.Post, _studies) { Content = body };
        request.Headers.TransferEncodingChunked = true;
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/dicom+json"));
        using var response = await http.SendAsync(request, cancellation).ConfigureAwait(false);
        string text = await response.Content.ReadAsStringAsync(cancellation).ConfigureAwait(false);
        Record(row, response.StatusCode, StowRsAnswer.Read(text));
    }

    private void Record(DueDelivery row, HttpStatusCode status, StowRsAnswer answer)
    {
        int code = (int)status;
        if (answer.Stored.Contains(row.SopInstanceUid))
        {
            journal.MarkSent(row.ObjectId, destination.Name, final: true, code == 202 ? "stored, with warnings (HTTP 202)" : null);
            return;
        }
        if (answer.Failed.TryGetValue(row.SopInstanceUid, out int reason))
        {
            string why = $"STOW-RS refused the instance: failure reason {reason:X4}H (HTTP {code})";
            if (StowRsAnswer.IsTransient(reason)) Retry(row, why);
            else Fail(row, why);
            return;
        }
        // No word of this instance: judge by the status alone.
        string message = $"STOW-RS answered HTTP {code} {status} without a word on the instance";
        if (code is 408 or 429 || code >= 500 || code == 200 || code == 202) Retry(row, message);
        else Fail(row, message);
    }

    private void Retry(DueDelivery row, string why)
    {
        journal.MarkRetry(row.ObjectId, destination.Name, why, options.Backoff.After);
        logger.LogInformation("{Sop} to {Destination}: will retry ({Error})", row.SopInstanceUid, destination.Name, why);
    }

    private void Fail(DueDelivery row, string why)
    {
        journal.MarkFailed(row.ObjectId, destination.Name, why);
        logger.LogWarning("{Sop} to {Destination} failed for good: {Error}", row.SopInstanceUid, destination.Name, why);
    }
}
