using CathLab.Dicom.Network.Pdus;
using CathLab.Dicom.Network.Status;

namespace CathLab.Dicom.Network.Association;

/// <summary>Opens an association as requestor (SCU side): connect, A-ASSOCIATE-RQ, wait (ARTIM) for AC or RJ.</summary>
public static class AssociationRequestor
{
    /// <summary>Over TLS 1.3 a peer refuses this side's certificate with an alert after the handshake, and closes; the
    /// request may then fail as a broken pipe. The alert may be there to read: it says why, and that retrying is futile.</summary>
    private static async Task<DicomNetworkException?> TlsRefusalAsync(Stream stream, PduReader reader, AssociationOptions options)
    {
        if (stream is not System.Net.Security.SslStream) return null;
        try
        {
            await reader.ReadAsync(options.ArtimTimeout, "A-ASSOCIATE-AC").ConfigureAwait(false);
        }
        catch (DicomNetworkException e) when (e.Reason == NetworkFailureReason.TlsFailure)
        {
            return e;
        }
        catch (Exception e) when (e is DicomNetworkException or IOException or InvalidOperationException or PduFormatException or ObjectDisposedException)
        {
            // nothing more to learn: the write's failure stands
        }
        return null;
    }

    public static async Task<DicomAssociation> ConnectAsync(string host, int port, AssociateRequest request,
        AssociationOptions options, CancellationToken cancellation = default)
    {
        request = request with { UserInformation = request.UserInformation with { MaxPduLength = options.MaxPduLength } };
        var (client, stream) = await TransportConnector.ConnectAsync(host, port, options, cancellation).ConfigureAwait(false);
        var reader = new PduReader(stream, options.MaxPduLength);
        try
        {
            using (var timer = new CancellationTokenSource(options.WriteTimeout))
            using (cancellation.Register(timer.Cancel))
            {
                try
                {
                    await stream.WriteAsync(AssociatePduCodec.Encode(request), timer.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
                {
                    throw new DicomTimeoutException("the peer to read A-ASSOCIATE-RQ", options.WriteTimeout);
                }
                catch (IOException e)
                {
                    throw await TlsRefusalAsync(stream, reader, options).ConfigureAwait(false)
                        ?? new AssociationAbortedException(AbortSource.ServiceProvider, AbortReason.NotSpecified, $"connection lost sending A-ASSOCIATE-RQ: {e.Message}");
                }
            }
            var pdu = await reader.ReadAsync(options.ArtimTimeout, "A-ASSOCIATE-AC", cancellation).ConfigureAwait(false)
                ?? throw new AssociationAbortedException(AbortSource.ServiceProvider, AbortReason.NotSpecified, "peer closed the connection instead of answering A-ASSOCIATE-RQ");
            switch (pdu.Type)
            {
                case PduType.AssociateAccept:
                    var accept = AssociatePduCodec.DecodeAccept(pdu.Body.Span);
                    var association = new DicomAssociation(client, stream, reader, options, isRequestor: true, request, accept);
                    var peerMax = accept.UserInformation.MaxPduLength;
                    if (peerMax != 0 && peerMax < options.MinPeerMaxPduLength)
                    {
                        await association.AbortAsync().ConfigureAwait(false);
                        await association.DisposeAsync().ConfigureAwait(false);
                        throw new DicomNetworkException($"{request.CalledAeTitle} accepts PDUs of at most {peerMax} bytes, below the {options.MinPeerMaxPduLength} we send",
                            FailureKind.Permanent, NetworkFailureReason.ProtocolError);
                    }
                    if (association.AcceptedContexts.Count == 0)
                    {
                        await association.AbortAsync().ConfigureAwait(false);
                        await association.DisposeAsync().ConfigureAwait(false);
                        throw new DicomNetworkException($"{request.CalledAeTitle} accepted the association but none of the presentation contexts "
                            + $"({string.Join(", ", request.PresentationContexts.Select(p => p.AbstractSyntax).Distinct())})",
                            FailureKind.Permanent, NetworkFailureReason.NoAcceptablePresentationContext);
                    }
                    return association;
                case PduType.AssociateReject:
                    throw new AssociationRejectedException(AssociatePduCodec.DecodeReject(pdu.Body.Span));
                case PduType.Abort:
                    var (source, reason) = AssociatePduCodec.DecodeAbort(pdu.Body.Span);
                    throw new AssociationAbortedException(source, reason, "peer aborted instead of answering A-ASSOCIATE-RQ");
                default:
                    throw new PduFormatException($"peer answered A-ASSOCIATE-RQ with {pdu.Type}");
            }
        }
        catch
        {
            reader.Dispose();
            await stream.DisposeAsync().ConfigureAwait(false);
            client.Dispose();
            throw;
        }
    }
}
