using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using CathLab.Dicom.Network.Dimse;
using CathLab.Dicom.Network.Pdus;
using CathLab.Dicom.Network.Status;

namespace CathLab.Dicom.Network.Association;

/// <summary>
/// Listens for associations and serves DIMSE requests with the given service providers, one task per
/// association. ARTIM bounds the wait for A-ASSOCIATE-RQ; the DIMSE timeout bounds an idle association.
/// </summary>
public sealed class DicomServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly DicomServerOptions _options;
    private readonly IReadOnlyList<IDimseServiceProvider> _services;
    private readonly AssociationNegotiator _negotiator;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _acceptLoop;
    private readonly HashSet<Task> _connections = [];
    private int _active;

    private DicomServer(DicomServerOptions options, IReadOnlyList<IDimseServiceProvider> services)
    {
        _options = options;
        _services = services;
        _negotiator = new AssociationNegotiator(options, services);
        _listener = new TcpListener(options.Address, options.Port);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = AcceptLoopAsync();
    }

    public int Port { get; }

    /// <summary>Errors from individual associations, for logs and tests; the server keeps serving others.</summary>
    public event Action<Exception>? AssociationFailed;

    public static DicomServer Start(DicomServerOptions options, params IDimseServiceProvider[] services) => new(options, services);

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            client.NoDelay = true;
            client.ReceiveBufferSize = TransportConnector.SocketBufferSize;
            client.SendBufferSize = TransportConnector.SocketBufferSize;
            var task = ServeAsync(client);
            lock (_connections)
            {
                _connections.Add(task);
            }
            _ = task.ContinueWith(t => { lock (_connections) { _connections.Remove(t); } }, TaskScheduler.Default);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        var active = Interlocked.Increment(ref _active);
        Stream stream = client.GetStream();
        PduReader? reader = null;
        DicomAssociation? association = null;
        var options = _options.Association;
        try
        {
            if (options.TlsServer is { } tls)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                using var handshake = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
                handshake.CancelAfter(options.ArtimTimeout);
                await ssl.AuthenticateAsServerAsync(tls, handshake.Token).ConfigureAwait(false);
                stream = ssl;
            }
            reader = new PduReader(stream, options.MaxPduLength);
            var pdu = await reader.ReadAsync(options.ArtimTimeout, "A-ASSOCIATE-RQ (ARTIM)", _stopping.Token).ConfigureAwait(false);
            if (pdu is not { } first)
            {
                return;
            }
            if (first.Type != PduType.AssociateRequest)
            {
                await WriteQuietlyAsync(stream, AssociatePduCodec.EncodeAbort(AbortSource.ServiceProvider, AbortReason.UnexpectedPdu)).ConfigureAwait(false);
                throw new PduFormatException($"expected A-ASSOCIATE-RQ, got {first.Type}");
            }
            var request = AssociatePduCodec.DecodeRequest(first.Body.Span);
            if (_negotiator.Vet(request, active) is { } reject)
            {
                await WriteQuietlyAsync(stream, AssociatePduCodec.Encode(reject)).ConfigureAwait(false);
                await WaitForPeerCloseAsync(reader, options).ConfigureAwait(false);
                return;
            }
            var accept = _negotiator.Answer(request);
            association = new DicomAssociation(client, stream, reader, options, isRequestor: false, request, accept);
            await association.WriteAsync(AssociatePduCodec.Encode(accept), _stopping.Token).ConfigureAwait(false);
            await ServeDimseAsync(association).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            if (!_stopping.IsCancellationRequested)
            {
                AssociationFailed?.Invoke(e);
            }
            if (association is null && e is PduFormatException)
            {
                await WriteQuietlyAsync(stream, AssociatePduCodec.EncodeAbort(AbortSource.ServiceProvider, AbortReason.InvalidPduParameterValue)).ConfigureAwait(false);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _active);
            if (association is not null)
            {
                await association.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                reader?.Dispose();
                await stream.DisposeAsync().ConfigureAwait(false);
                client.Dispose();
            }
        }
    }

    private async Task ServeDimseAsync(DicomAssociation association)
    {
        var channel = new DimseChannel(association);
        while (association.State == AssociationState.Established)
        {
            var message = await channel.ReceiveAsync(association.Options.DimseTimeout,
                (id, ts, command) => ServiceFor(association, id)?.OpenDataSetSink(id, ts, command), _stopping.Token).ConfigureAwait(false);
            if (message is null)
            {
                return; // released
            }
            var request = new DimseRequest(association, channel, message);
            try
            {
                if (((ushort)message.Command.Field & 0x8000) != 0)
                {
                    continue; // a response nobody waits for (PS3.7 lets us ignore it); never answer a response
                }
                var service = ServiceFor(association, message.ContextId);
                if (service is null)
                {
                    await request.RespondAsync(0x0211, errorComment: "no service for this request here", cancellation: _stopping.Token).ConfigureAwait(false);
                    continue;
                }
                await service.HandleAsync(request, _stopping.Token).ConfigureAwait(false);
            }
            finally
            {
                if (message.DataSet is not null)
                {
                    await message.DataSet.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
    }

    private IDimseServiceProvider? ServiceFor(DicomAssociation association, byte contextId)
    {
        var abstractSyntax = association.GetContext(contextId).AbstractSyntax;
        return _services.FirstOrDefault(s => s.Supports(abstractSyntax));
    }

    private static async Task WaitForPeerCloseAsync(PduReader reader, AssociationOptions options)
    {
        try
        {
            await reader.ReadAsync(options.ArtimTimeout, "the peer to close after A-ASSOCIATE-RJ").ConfigureAwait(false);
        }
        catch (DicomNetworkException)
        {
            // ARTIM expired or the peer sent garbage: we close regardless
        }
    }

    private static async Task WriteQuietlyAsync(Stream stream, byte[] pdu)
    {
        try
        {
            using var timer = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await stream.WriteAsync(pdu, timer.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // best effort before closing
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        await _acceptLoop.ConfigureAwait(false);
        Task[] running;
        lock (_connections)
        {
            running = [.. _connections];
        }
        await Task.WhenAll(running).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _listener.Dispose();
        _stopping.Dispose();
    }
}
