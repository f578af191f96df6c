using CathLab.Dicom.Network.Association;
using CathLab.Dicom.Data;
using CathLab.Dicom.Network.Dimse;
using CathLab.Dicom.Network.Status;

namespace CathLab.Dicom.Network.Services.Mpps;

/// <summary>Modality Performed Procedure Step as SCU: N-CREATE when the procedure starts, N-SET as it progresses and ends.</summary>
public sealed class MppsScu(DicomPeer peer, AssociationOptions options)
{
    /// <summary>N-CREATE with the SOP instance UID chosen by us (PS3.4 §F.7.2.1). Throws on a failure status.</summary>
    public Task<DimseStatus> CreateAsync(string sopInstanceUid, DicomDataSet attributes, CancellationToken cancellation = default)
    {
        var request = new CommandSet
        {
            Field = CommandField.NCreateRequest,
            AffectedSopClassUid = WellKnownUids.ModalityPerformedProcedureStep,
            AffectedSopInstanceUid = sopInstanceUid,
        };
        return ExchangeAsync("N-CREATE (MPPS)", request, attributes, cancellation);
    }

    /// <summary>N-SET of the attributes to change, e.g. status COMPLETED with end date, time and performed series.</summary>
    public Task<DimseStatus> SetAsync(string sopInstanceUid, DicomDataSet modifications, CancellationToken cancellation = default)
    {
        var request = new CommandSet
        {
            Field = CommandField.NSetRequest,
            RequestedSopClassUid = WellKnownUids.ModalityPerformedProcedureStep,
            RequestedSopInstanceUid = sopInstanceUid,
        };
        return ExchangeAsync("N-SET (MPPS)", request, modifications, cancellation);
    }

    private async Task<DimseStatus> ExchangeAsync(string operation, CommandSet request, DicomDataSet attributes, CancellationToken cancellation)
    {
        await using var association = await ScuAssociation.OpenAsync(peer, options,
            ScuAssociation.Contexts((WellKnownUids.ModalityPerformedProcedureStep, WellKnownUids.UncompressedTransferSyntaxes)), cancellation: cancellation).ConfigureAwait(false);
        var channel = new DimseChannel(association);
        var context = ScuExchange.RequireContext(channel, WellKnownUids.ModalityPerformedProcedureStep);
        var (status, _) = await ScuExchange.SendAsync(channel, context, request, attributes, null, cancellation).ConfigureAwait(false);
        await association.ReleaseAsync(cancellation).ConfigureAwait(false);
        return status.IsFailure ? throw new DimseFailureException(operation, status) : status;
    }
}
