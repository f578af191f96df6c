using CathLab.Dicom.Network.Dimse;
using CathLab.Dicom.Network.Services;

namespace CathLab.Dicom.Network.Services.Echo;

/// <summary>Verification SOP class as SCP: answers C-ECHO with success.</summary>
public sealed class EchoScp : IDimseServiceProvider
{
    public bool Supports(string abstractSyntax) => abstractSyntax == WellKnownUids.Verification;

    public string? ChooseTransferSyntax(string abstractSyntax, IReadOnlyList<string> offered) =>
        TransferSyntaxChoice.FirstPreferred(WellKnownUids.UncompressedTransferSyntaxes, offered);

    /// <summary>C-ECHO carries no data set (PS3.7 §9.3.5); one a peer sends anyway is dropped as it streams in, never kept.</summary>
    public Stream? OpenDataSetSink(byte contextId, string transferSyntax, CommandSet command) => Stream.Null;

    public Task HandleAsync(DimseRequest request, CancellationToken cancellation) =>
        request.Command.Field == CommandField.CEchoRequest
            ? request.RespondAsync(0x0000, cancellation: cancellation)
            : request.RespondAsync(0x0211, errorComment: "only C-ECHO on Verification", cancellation: cancellation);
}
