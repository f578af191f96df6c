using CathLab.Dicom.Network.Association;
using CathLab.Dicom.Data;
using CathLab.Dicom.Network.Dimse;
using CathLab.Dicom.Network.Status;

namespace CathLab.Dicom.Network.Services;

/// <summary>One request and its single response on an open association, for the N-services.</summary>
internal static class ScuExchange
{
    public static AcceptedContext RequireContext(DimseChannel channel, string sopClass) =>
        channel.Association.FindContext(sopClass)
        ?? throw new DicomNetworkException($"peer did not accept {sopClass}", FailureKind.Permanent, NetworkFailureReason.NoAcceptablePresentationContext);

    public static async Task<(DimseStatus Status, DicomDataSet? DataSet)> SendAsync(DimseChannel channel, AcceptedContext context, CommandSet request,
        DicomDataSet? dataSet, Func<DimseRequest, CancellationToken, Task>? interleaved, CancellationToken cancellation)
    {
        request.MessageId = channel.NextMessageId();
        await channel.SendAsync(context.Id, request, dataSet is null ? null : DataSetCodec.Encode(dataSet, context.TransferSyntax), cancellation).ConfigureAwait(false);
        var response = await ResponseReader.ReadAsync(channel, request, interleaved, cancellation).ConfigureAwait(false);
        var status = DimseStatus.From(response.Command);
        var data = response.DataSet is { } stream ? DataSetCodec.Decode(stream, response.TransferSyntax) : null;
        return (status, data);
    }
}
