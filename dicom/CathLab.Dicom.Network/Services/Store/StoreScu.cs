using System.Collections.Concurrent;
using System.IO.Pipelines;
using CathLab.Dicom.Files;
using CathLab.Dicom.IO;
using CathLab.Dicom.Network.Association;
using CathLab.Dicom.Network.Client;
using CathLab.Dicom.Network.Dimse;
using CathLab.Dicom.Network.Part10;
using CathLab.Dicom.Network.Pdus;
using CathLab.Dicom.Network.Status;

namespace CathLab.Dicom.Network.Services.Store;

/// <summary>
/// Storage SOP classes as SCU: sends Part 10 files as they lie on disk, or transcoded frame by frame where the peer takes
/// only another syntax. The data set is read from the file (or the transcoder) straight into the outgoing PDU buffer, one
/// fragment at a time, so memory stays flat whatever the object's size. Several
/// associations can run in parallel; when the peer refuses the extra ones, the others carry the work.
/// </summary>
public sealed class StoreScu(DicomPeer peer, AssociationOptions options)
{
    public async Task<StoreResult> StoreAsync(string path, CancellationToken cancellation = default) =>
        (await StoreAsync([path], 1, cancellation).ConfigureAwait(false))[0];

    public async Task<IReadOnlyList<StoreResult>> StoreAsync(IReadOnlyList<string> paths, int associations = 1, CancellationToken cancellation = default)
    {
        var requests = paths.Select(p => new StoreRequest(p)).ToArray();
        var results = new ConcurrentDictionary<StoreRequest, StoreResult>(ReferenceEqualityComparer.Instance);
        void Complete(StoreResult result) => results[result.Request] = result;
        var ready = StoreObjects.Prepare(requests, Complete);
        if (ready.Count > 0)
        {
            var contexts = StoreObjects.Contexts(ready);
            var queue = new ConcurrentQueue<PreparedObject>(ready);
            var workers = Enumerable.Range(0, Math.Max(1, Math.Min(associations, ready.Count)))
                .Select(i => WorkAsync(i == 0, contexts, queue, Complete, cancellation)).ToArray();
            await Task.WhenAll(workers).ConfigureAwait(false);
        }
        return [.. requests.Select(r => results.GetValueOrDefault(r) ?? StoreObjects.NotSent(r, null, "not sent: no association could carry it",
            FailureKind.Transient, NetworkFailureReason.ConnectionRefused))];
    }

    private async Task WorkAsync(bool primary, IReadOnlyList<PresentationContextProposal> contexts, ConcurrentQueue<PreparedObject> queue,
        Action<StoreResult> complete, CancellationToken cancellation)
    {
        DicomAssociation association;
        try
        {
            association = await ScuAssociation.OpenAsync(peer, options, contexts, cancellation: cancellation).ConfigureAwait(false);
        }
        catch (DicomNetworkException) when (!primary)
        {
            return; // the peer allows fewer parallel associations than asked; the primary one carries on
        }
        await AssociationWork.RunAsync(association, channel => StoreObjects.SendAllAsync(channel, Drain(queue), complete, null, cancellation), cancellation).ConfigureAwait(false);
    }

    private static IEnumerable<PreparedObject> Drain(ConcurrentQueue<PreparedObject> queue)
    {
        while (queue.TryDequeue(out var item))
        {
            yield return item;
        }
    }

    /// <summary>Sends one file on an open association and returns the peer's status.</summary>
    public static async Task<DimseStatus> SendOneAsync(DimseChannel channel, AcceptedContext context, string path, Part10Meta meta, CancellationToken cancellation = default)
    {
        var request = StoreRequestFor(channel, meta);
        await using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan))
        {
            file.Position = meta.DataSetOffset;
            await channel.SendAsync(context.Id, request, file, file.Length - meta.DataSetOffset, cancellation).ConfigureAwait(false);
        }
        var response = await ResponseReader.ReadAsync(channel, request, null, cancellation).ConfigureAwait(false);
        return DimseStatus.From(response.Command);
    }

    /// <summary>Sends one file in the context's transfer syntax, which is not the file's own: a reader on a worker thread
    /// transcodes it frame by frame into a bounded pipe that the association drains, so memory holds a few frames, never
    /// the object. Malformed pixel data surfaces as the reader's <see cref="DicomFormatException"/>.</summary>
    public static async Task<DimseStatus> SendTranscodedAsync(DimseChannel channel, AcceptedContext context, string path, Part10Meta meta, CancellationToken cancellation = default)
    {
        var target = DicomTransferSyntax.Get(context.TransferSyntax);
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: TranscodeWindow, resumeWriterThreshold: TranscodeWindow / 2, useSynchronizationContext: false));
        var producer = Task.Run(() =>
        {
            try
            {
                using var reader = DicomFileReader.Open(path);
                using (var sink = pipe.Writer.AsStream(leaveOpen: true))
                    reader.CopyTo(sink, target);
                pipe.Writer.Complete();
            }
            catch (Exception e)
            {
                pipe.Writer.Complete(e);
            }
        }, CancellationToken.None);
        var request = StoreRequestFor(channel, meta);
        try
        {
            await using (var source = pipe.Reader.AsStream(leaveOpen: true))
                await channel.SendToEndAsync(context.Id, request, source, cancellation).ConfigureAwait(false);
        }
        finally
        {
            await pipe.Reader.CompleteAsync().ConfigureAwait(false); // a producer still writing finds nobody reading and ends
            await producer.ConfigureAwait(false);
        }
        var response = await ResponseReader.ReadAsync(channel, request, null, cancellation).ConfigureAwait(false);
        return DimseStatus.From(response.Command);
    }

    /// <summary>How far the transcoder may run ahead of the association: a few frames.</summary>
    private const int TranscodeWindow = 8 << 20;

    private static CommandSet StoreRequestFor(DimseChannel channel, Part10Meta meta)
    {
        var request = new CommandSet
        {
            Field = CommandField.CStoreRequest,
            MessageId = channel.NextMessageId(),
            AffectedSopClassUid = meta.SopClassUid,
            AffectedSopInstanceUid = meta.SopInstanceUid,
        };
        request.Set(CommandTags.Priority, 0);
        return request;
    }
}
