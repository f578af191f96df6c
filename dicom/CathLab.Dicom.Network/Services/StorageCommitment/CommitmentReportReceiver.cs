using CathLab.Dicom.IO;
using CathLab.Dicom.Network.Dimse;

namespace CathLab.Dicom.Network.Services.StorageCommitment;

/// <summary>
/// Takes N-EVENT-REPORTs of Storage Commitment Push Model, on the request's own association or on one the PACS
/// opens to the station's listener (where the station plays the SCU of the SOP class in the acceptor role).
/// </summary>
public sealed class CommitmentReportReceiver(CommitmentTracker tracker) : IDimseServiceProvider
{
    public bool Supports(string abstractSyntax) => abstractSyntax == WellKnownUids.StorageCommitmentPushModel;

    /// <summary>The station takes reports here: it is the SCU of the SOP class, the PACS that calls it the SCP.</summary>
    public (bool Scu, bool Scp) AcceptorRoles(string abstractSyntax) => (true, false);

    public string? ChooseTransferSyntax(string abstractSyntax, IReadOnlyList<string> offered) =>
        TransferSyntaxChoice.FirstPreferred(WellKnownUids.UncompressedTransferSyntaxes, offered);

    public Task HandleAsync(DimseRequest request, CancellationToken cancellation) => HandleAsync(request, sameAssociation: false, cancellation);

    internal async Task HandleAsync(DimseRequest request, bool sameAssociation, CancellationToken cancellation)
    {
        if (request.Command.Field != CommandField.NEventReportRequest)
        {
            await request.RespondAsync(0x0211, errorComment: "this station takes only N-EVENT-REPORT for storage commitment", cancellation: cancellation).ConfigureAwait(false);
            return;
        }
        var eventType = request.Command.GetUInt16(CommandTags.EventTypeId);
        if (eventType is not (CommitmentCodec.AllCommittedEventTypeId or CommitmentCodec.FailuresExistEventTypeId))
        {
            await RespondEventAsync(request, 0x0113, eventType, cancellation).ConfigureAwait(false);
            return;
        }
        CommitmentReport report;
        try
        {
            var data = request.Message.DataSet ?? throw new DicomFormatException("N-EVENT-REPORT without a data set");
            report = CommitmentCodec.ParseReport(DataSetCodec.Decode(data, request.Message.TransferSyntax), sameAssociation);
        }
        catch (DicomFormatException e)
        {
            await RespondEventAsync(request, 0x0120, eventType, cancellation, e.Message).ConfigureAwait(false);
            return;
        }
        await RespondEventAsync(request, 0x0000, eventType, cancellation).ConfigureAwait(false);
        tracker.Deliver(report);
    }

    // N-EVENT-REPORT-RSP echoes the Event Type ID (PS3.7 §10.3.1).
    private static Task RespondEventAsync(DimseRequest request, ushort status, ushort? eventType, CancellationToken cancellation, string? comment = null)
    {
        var response = new CommandSet
        {
            Field = CommandField.NEventReportResponse,
            MessageIdBeingRespondedTo = request.Command.MessageId,
            AffectedSopClassUid = request.Command.AffectedSopClassUid ?? WellKnownUids.StorageCommitmentPushModel,
            AffectedSopInstanceUid = request.Command.AffectedSopInstanceUid,
            Status = status,
            ErrorComment = comment,
        };
        if (eventType is { } e)
        {
            response.Set(CommandTags.EventTypeId, e);
        }
        return request.Channel.SendAsync(request.Message.ContextId, response, null, cancellation);
    }
}
