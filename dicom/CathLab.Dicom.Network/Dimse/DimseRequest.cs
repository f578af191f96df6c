using CathLab.Dicom.Network.Association;

namespace CathLab.Dicom.Network.Dimse;

/// <summary>A request received by an SCP, with the association and channel to answer on.</summary>
public sealed record DimseRequest(DicomAssociation Association, DimseChannel Channel, DimseMessage Message)
{
    public CommandSet Command => Message.Command;
    public AcceptedContext Context => Association.GetContext(Message.ContextId);

    /// <summary>Sends the response to this request, echoing its message ID and SOP class/instance.</summary>
    public Task RespondAsync(ushort status, ReadOnlyMemory<byte>? dataSet = null, string? errorComment = null, CancellationToken cancellation = default)
    {
        var response = new CommandSet
        {
            Field = (CommandField)((ushort)Command.Field | 0x8000),
            MessageIdBeingRespondedTo = Command.MessageId,
            AffectedSopClassUid = Command.SopClassUid ?? Context.AbstractSyntax,
            AffectedSopInstanceUid = Command.SopInstanceUid,
            Status = status,
            ErrorComment = errorComment,
        };
        return Channel.SendAsync(Message.ContextId, response, dataSet, cancellation);
    }
}
