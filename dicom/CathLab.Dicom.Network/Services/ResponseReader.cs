using CathLab.Dicom.Network.Association;
using CathLab.Dicom.Network.Dimse;
using CathLab.Dicom.Network.Pdus;
using CathLab.Dicom.Network.Status;

namespace CathLab.Dicom.Network.Services;

/// <summary>
/// Waits (DIMSE timeout) for the response to a request. Requests the peer sends meanwhile on the same association
/// (an N-EVENT-REPORT for storage commitment) go to <paramref name="interleaved"/>; without one they are refused.
/// </summary>
public static class ResponseReader
{
    public static async Task<DimseMessage> ReadAsync(DimseChannel channel, CommandSet request,
        Func<DimseRequest, CancellationToken, Task>? interleaved, CancellationToken cancellation)
    {
        while (true)
        {
            var message = await channel.ReceiveAsync(channel.Association.Options.DimseTimeout, null, cancellation).ConfigureAwait(false)
                ?? throw new AssociationAbortedException(AbortSource.ServiceUser, AbortReason.NotSpecified, $"peer released the association before answering {request.Field}");
            var field = (ushort)message.Command.Field;
            if ((field & 0x8000) != 0)
            {
                if (message.Command.MessageIdBeingRespondedTo != request.MessageId || field != ((ushort)request.Field | 0x8000))
                {
                    await channel.Association.AbortAsync(AbortReason.UnexpectedPdu).ConfigureAwait(false);
                    throw new PduFormatException($"expected the response to {request.Field} #{request.MessageId}, got {message.Command}");
                }
                return message;
            }
            var incoming = new DimseRequest(channel.Association, channel, message);
            if (interleaved is not null)
            {
                await interleaved(incoming, cancellation).ConfigureAwait(false);
            }
            else
            {
                await incoming.RespondAsync(0x0211, errorComment: "not expecting requests on this association", cancellation: cancellation).ConfigureAwait(false);
            }
        }
    }
}
