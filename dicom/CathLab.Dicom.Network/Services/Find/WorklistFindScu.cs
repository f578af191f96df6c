using CathLab.Dicom.Network.Association;
using CathLab.Dicom.Data;
using CathLab.Dicom.Network.Dimse;
using CathLab.Dicom.Network.Status;

namespace CathLab.Dicom.Network.Services.Find;

/// <summary>Modality Worklist Information Model - FIND as SCU: one C-FIND, the pending responses collected as data sets.</summary>
public sealed class WorklistFindScu(DicomPeer peer, AssociationOptions options)
{
    /// <summary>Guards against a peer that streams matches forever.</summary>
    public int MaxMatches { get; init; } = 10_000;

    public async Task<FindResult> FindAsync(DicomDataSet identifier, CancellationToken cancellation = default)
    {
        await using var association = await ScuAssociation.OpenAsync(peer, options,
            ScuAssociation.Contexts((WellKnownUids.ModalityWorklistFind, WellKnownUids.UncompressedTransferSyntaxes)), cancellation: cancellation).ConfigureAwait(false);
        var channel = new DimseChannel(association);
        var context = ScuExchange.RequireContext(channel, WellKnownUids.ModalityWorklistFind);
        var request = new CommandSet { Field = CommandField.CFindRequest, MessageId = channel.NextMessageId(), AffectedSopClassUid = WellKnownUids.ModalityWorklistFind };
        request.Set(CommandTags.Priority, 0);
        await channel.SendAsync(context.Id, request, DataSetCodec.Encode(identifier, context.TransferSyntax), cancellation).ConfigureAwait(false);
        var matches = new List<DicomDataSet>();
        while (true)
        {
            var response = await ResponseReader.ReadAsync(channel, request, null, cancellation).ConfigureAwait(false);
            var status = DimseStatus.From(response.Command);
            if (status.IsPending)
            {
                if (response.DataSet is { } data)
                {
                    matches.Add(DataSetCodec.Decode(data, response.TransferSyntax));
                }
                if (matches.Count > MaxMatches)
                {
                    await association.AbortAsync().ConfigureAwait(false);
                    throw new DicomNetworkException($"worklist returned more than {MaxMatches} matches", FailureKind.Permanent, NetworkFailureReason.ProtocolError);
                }
                continue;
            }
            if (status.IsFailure)
            {
                throw new DimseFailureException("C-FIND (worklist)", status);
            }
            await association.ReleaseAsync(cancellation).ConfigureAwait(false);
            return new FindResult(matches, status);
        }
    }
}
