using CathLab.Dicom.Network.Association;
using CathLab.Dicom.Network.Attributes;
using CathLab.Dicom.Network.Dimse;
using CathLab.Dicom.Network.Status;

namespace CathLab.Dicom.Network.Services;

/// <summary>One request and its single response on an open association, for the N-services.</summary>
internal static class ScuExchange
{
    public static AcceptedContext RequireContext(DimseChannel channel, string sopClass) =>
        channel.Association.FindContext(sopClass)
        ?? throw new DicomNetworkException($"peer did not accept {sopClass}", FailureKind.Permanent, NetworkFailureReason.NoAcceptablePresentationContext);

    public static async Task<(DimseStatus Status, AttributeSet? DataSet)> SendAsync(DimseChannel channel, AcceptedContext context, CommandSet request,
        AttributeSet? dataSet, Func<DimseRequest, CancellationToken, Task>? interleaved, CancellationToken cancellation)
    {
        request.MessageId = channel.NextMessageId();
        await channel.SendAsync(context.Id, request, dataSet?.Encode(context.TransferSyntax), cancellation).ConfigureAwait(false);
        var response = await ResponseReader.ReadAsync(channel, request, interleaved, cancellation).ConfigureAwait(false);
        var status = DimseStatus.From(response.Command);
        var data = response.DataSet is { } stream ? AttributeSet.Decode(stream, response.TransferSyntax) : null;
        return (status, data);
    }
}
