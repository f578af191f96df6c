using System.Collections.Concurrent;
using CathLab.Dicom.Network.Association;
using CathLab.Dicom.Network.Dimse;
using CathLab.Dicom.Network.Part10;
using CathLab.Dicom.Network.Pdus;
using CathLab.Dicom.Network.Status;

namespace CathLab.Dicom.Network.Services.Store;

/// <summary>
/// Storage SOP classes as SCU: sends Part 10 files as they lie on disk. The data set is read from the file straight into
/// the outgoing PDU buffer, one fragment at a time, so memory stays flat whatever the object's size. Several
/// associations can run in parallel; when the peer refuses the extra ones, the others carry the work.
/// </summary>
public sealed class StoreScu(DicomPeer peer, AssociationOptions options)
{
    public async Task<StoreResult> StoreAsync(string path, CancellationToken cancellation = default) =>
        (await StoreAsync([path], 1, cancellation).ConfigureAwait(false))[0];

    public async Task<IReadOnlyList<StoreResult>> StoreAsync(IReadOnlyList<string> paths, int associations = 1, CancellationToken cancellation = default)
    {
        var metas = paths.Select(p => (Path: p, Meta: Part10Meta.Read(p))).ToArray();
        var contexts = ScuAssociation.Contexts([.. metas
            .Select(m => (m.Meta.SopClassUid, m.Meta.TransferSyntaxUid)).Distinct()
            .Select(k => (k.SopClassUid, (IReadOnlyList<string>)[k.TransferSyntaxUid]))]);
        var queue = new ConcurrentQueue<int>(Enumerable.Range(0, metas.Length));
        var results = new StoreResult?[metas.Length];
        var workers = Enumerable.Range(0, Math.Max(1, Math.Min(associations, metas.Length)))
            .Select(i => WorkAsync(i == 0, contexts, metas, queue, results, cancellation)).ToArray();
        await Task.WhenAll(workers).ConfigureAwait(false);
        return [.. results.Select((r, i) => r ?? new StoreResult(metas[i].Path, metas[i].Meta.SopInstanceUid, null,
            new DicomNetworkException("not sent: no association could be opened", FailureKind.Transient, NetworkFailureReason.ConnectionRefused)))];
    }

    private async Task WorkAsync(bool primary, IReadOnlyList<PresentationContextProposal> contexts, (string Path, Part10Meta Meta)[] metas,
        ConcurrentQueue<int> queue, StoreResult?[] results, CancellationToken cancellation)
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
        await using (association.ConfigureAwait(false))
        {
            var channel = new DimseChannel(association);
            while (queue.TryDequeue(out var index))
            {
                var (path, meta) = metas[index];
                var context = association.FindContext(meta.SopClassUid, meta.TransferSyntaxUid);
                if (context is null)
                {
                    results[index] = new StoreResult(path, meta.SopInstanceUid, null, new DicomNetworkException(
                        $"peer accepted no context for {meta.SopClassUid} in {meta.TransferSyntaxUid}", FailureKind.Permanent, NetworkFailureReason.NoAcceptablePresentationContext));
                    continue;
                }
                results[index] = new StoreResult(path, meta.SopInstanceUid, await SendOneAsync(channel, context, path, meta, cancellation).ConfigureAwait(false));
            }
            await association.ReleaseAsync(cancellation).ConfigureAwait(false);
        }
    }

    /// <summary>Sends one file on an open association and returns the peer's status.</summary>
    public static async Task<DimseStatus> SendOneAsync(DimseChannel channel, AcceptedContext context, string path, Part10Meta meta, CancellationToken cancellation = default)
    {
        var request = new CommandSet
        {
            Field = CommandField.CStoreRequest,
            MessageId = channel.NextMessageId(),
            AffectedSopClassUid = meta.SopClassUid,
            AffectedSopInstanceUid = meta.SopInstanceUid,
        };
        request.Set(CommandTags.Priority, 0);
        await using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan))
        {
            file.Position = meta.DataSetOffset;
            await channel.SendAsync(context.Id, request, file, file.Length - meta.DataSetOffset, cancellation).ConfigureAwait(false);
        }
        var response = await ResponseReader.ReadAsync(channel, request, null, cancellation).ConfigureAwait(false);
        return DimseStatus.From(response.Command);
    }
}
