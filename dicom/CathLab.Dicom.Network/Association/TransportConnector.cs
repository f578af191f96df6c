using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using CathLab.Dicom.Network.Status;

namespace CathLab.Dicom.Network.Association;

/// <summary>Opens the TCP connection (and TLS when configured), turning socket failures into classified errors.</summary>
internal static class TransportConnector
{
    public const int SocketBufferSize = 1 << 20;

    public static async Task<(TcpClient Client, Stream Stream)> ConnectAsync(string host, int port, AssociationOptions options, CancellationToken cancellation)
    {
        var client = new TcpClient { NoDelay = true, SendBufferSize = SocketBufferSize, ReceiveBufferSize = SocketBufferSize };
        try
        {
            using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            timer.CancelAfter(options.ConnectTimeout);
            try
            {
                await client.ConnectAsync(host, port, timer.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
            {
                throw new DicomTimeoutException($"a TCP connection to {host}:{port}", options.ConnectTimeout);
            }
            catch (SocketException e)
            {
                throw new DicomNetworkException($"cannot connect to {host}:{port}: {e.SocketErrorCode} ({e.Message})",
                    FailureKind.Transient, NetworkFailureReason.ConnectionRefused, e);
            }
            Stream stream = client.GetStream();
            if (options.TlsClient is { } tls)
            {
                stream = await AuthenticateAsClientAsync(stream, tls, options, host, cancellation).ConfigureAwait(false);
            }
            return (client, stream);
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    private static async Task<Stream> AuthenticateAsClientAsync(Stream stream, SslClientAuthenticationOptions tls, AssociationOptions options, string host, CancellationToken cancellation)
    {
        var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timer.CancelAfter(options.ArtimTimeout);
        try
        {
            var withHost = tls.TargetHost is null ? CloneWithHost(tls, host) : tls;
            await ssl.AuthenticateAsClientAsync(withHost, timer.Token).ConfigureAwait(false);
            return ssl;
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw new DicomTimeoutException("the TLS handshake", options.ArtimTimeout);
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw new DicomNetworkException($"TLS handshake with {host} failed: {e.Message}", FailureKind.Permanent, NetworkFailureReason.TlsFailure, e);
        }
    }

    private static SslClientAuthenticationOptions CloneWithHost(SslClientAuthenticationOptions tls, string host) => new()
    {
        TargetHost = host,
        ClientCertificates = tls.ClientCertificates,
        EnabledSslProtocols = tls.EnabledSslProtocols,
        RemoteCertificateValidationCallback = tls.RemoteCertificateValidationCallback,
        CertificateRevocationCheckMode = tls.CertificateRevocationCheckMode,
    };
}
