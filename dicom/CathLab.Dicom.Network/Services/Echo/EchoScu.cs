using CathLab.Dicom.Network.Association;
using CathLab.Dicom.Network.Dimse;
using CathLab.Dicom.Network.Status;

namespace CathLab.Dicom.Network.Services.Echo;

/// <summary>Verification SOP class as SCU: one C-ECHO on a fresh association.</summary>
public static class EchoScu
{
    public static async Task<DimseStatus> EchoAsync(DicomPeer peer, AssociationOptions options, CancellationToken cancellation = default)
    {
        var association = await ScuAssociation.OpenAsync(peer, options,
            ScuAssociation.Contexts((WellKnownUids.Verification, WellKnownUids.UncompressedTransferSyntaxes)), cancellation: cancellation).ConfigureAwait(false);
        return await AssociationWork.RunAsync(association, channel => EchoAsync(channel, cancellation), cancellation).ConfigureAwait(false);
    }

    public static async Task<DimseStatus> EchoAsync(DimseChannel channel, CancellationToken cancellation = default)
    {
        var context = channel.Association.FindContext(WellKnownUids.Verification)
            ?? throw new DicomNetworkException("Verification was not accepted", FailureKind.Permanent, NetworkFailureReason.NoAcceptablePresentationContext);
        var request = new CommandSet { Field = CommandField.CEchoRequest, MessageId = channel.NextMessageId(), AffectedSopClassUid = WellKnownUids.Verification };
        await channel.SendAsync(context.Id, request, null, cancellation).ConfigureAwait(false);
        var response = await ResponseReader.ReadAsync(channel, request, null, cancellation).ConfigureAwait(false);
        return DimseStatus.From(response.Command);
    }
}
