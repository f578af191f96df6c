using CathLab.Dicom.Network.Association;
using CathLab.Dicom.Network.Dimse;
using CathLab.Dicom.Network.Pdus;
using CathLab.Dicom.Network.Status;

namespace CathLab.Dicom.Network.Services.StorageCommitment;

/// <summary>
/// Storage Commitment Push Model as SCU: N-ACTION asks the PACS to commit the instances; the N-EVENT-REPORT answer is
/// taken on the same association if it comes within <see cref="SameAssociationWait"/>, otherwise later on a new
/// association that the PACS opens to the station's listener (which must host a <see cref="CommitmentReportReceiver"/>
/// sharing this tracker).
/// </summary>
public sealed class StorageCommitmentScu(DicomPeer peer, AssociationOptions options, CommitmentTracker tracker)
{
    public static readonly TimeSpan DefaultSameAssociationWait = TimeSpan.FromSeconds(5);

    public TimeSpan SameAssociationWait { get; init; } = DefaultSameAssociationWait;

    /// <summary>Sends the request; returns the transaction UID and a task that completes with the report, wherever it arrives.</summary>
    public async Task<(string TransactionUid, Task<CommitmentReport> Report)> RequestAsync(IReadOnlyList<SopReference> references, CancellationToken cancellation = default)
    {
        var transactionUid = "2.25." + new System.Numerics.BigInteger(Guid.NewGuid().ToByteArray(), isUnsigned: true);
        var report = tracker.Expect(transactionUid);
        var receiver = new CommitmentReportReceiver(tracker);
        try
        {
            var association = await ScuAssociation.OpenAsync(peer, options,
                ScuAssociation.Contexts((WellKnownUids.StorageCommitmentPushModel, WellKnownUids.UncompressedTransferSyntaxes)), cancellation: cancellation).ConfigureAwait(false);
            var status = await AssociationWork.RunAsync(association, async channel =>
            {
                var context = ScuExchange.RequireContext(channel, WellKnownUids.StorageCommitmentPushModel);
                var request = new CommandSet
                {
                    Field = CommandField.NActionRequest,
                    RequestedSopClassUid = WellKnownUids.StorageCommitmentPushModel,
                    RequestedSopInstanceUid = WellKnownUids.StorageCommitmentPushModelInstance,
                };
                request.Set(CommandTags.ActionTypeId, CommitmentCodec.RequestActionTypeId);
                var (status, _) = await ScuExchange.SendAsync(channel, context, request, CommitmentCodec.Request(transactionUid, references),
                    (r, c) => receiver.HandleAsync(r, sameAssociation: true, c), cancellation).ConfigureAwait(false);
                if (!status.IsFailure)
                {
                    await WaitOnSameAssociationAsync(channel, receiver, report, cancellation).ConfigureAwait(false);
                }
                return status; // a refusal is a clean exchange: the association is released, not aborted
            }, cancellation).ConfigureAwait(false);
            if (status.IsFailure)
            {
                throw new DimseFailureException("N-ACTION (storage commitment)", status);
            }
        }
        catch
        {
            tracker.Forget(transactionUid);
            throw;
        }
        return (transactionUid, report);
    }

    private async Task WaitOnSameAssociationAsync(DimseChannel channel, CommitmentReportReceiver receiver, Task<CommitmentReport> report, CancellationToken cancellation)
    {
        if (SameAssociationWait <= TimeSpan.Zero || report.IsCompleted)
        {
            return;
        }
        try
        {
            var message = await channel.ReceiveAsync(SameAssociationWait, null, cancellation, optional: true).ConfigureAwait(false);
            if (message is not null && message.Command.Field == CommandField.NEventReportRequest)
            {
                await receiver.HandleAsync(new DimseRequest(channel.Association, channel, message), sameAssociation: true, cancellation).ConfigureAwait(false);
            }
        }
        catch (DicomTimeoutException)
        {
            // no report here: the PACS will open its own association to our listener, as most do
        }
        catch (AssociationAbortedException) when (!report.IsCompleted)
        {
            // the PACS may drop this association after N-ACTION; the report still comes on a new one
        }
    }
}
