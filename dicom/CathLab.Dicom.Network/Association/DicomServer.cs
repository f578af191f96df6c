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
    private readonly PendingConnections _pending;
    private int _associations;

    private DicomServer(DicomServerOptions options, IReadOnlyList<IDimseServiceProvider> services)
    {
        _options = options;
        _services = services;
        _negotiator = new AssociationNegotiator(options, services);
        _pending = new PendingConnections(options.MaxPendingConnections);
        _listener = new TcpListener(options.Address, options.Port);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = AcceptLoopAsync();
    }

    public int Port { get; }

    /// <summary>Associations established now (connections still negotiating are not counted).</summary>
    public int ActiveAssociations => Volatile.Read(ref _associations);

    /// <summary>Connections waiting for their A-ASSOCIATE-RQ now.</summary>
    public int PendingConnectionCount => _pending.Count;

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
        Stream stream = client.GetStream();
        PduReader? reader = null;
        DicomAssociation? association = null;
        var counted = false;
        var options = _options.Association;
        // Sta2: the whole wait for A-ASSOCIATE-RQ (TLS handshake included) is one ARTIM, and the connection holds a pending
        // slot meanwhile; the server may end it early to make room for a newer one.
        using var artim = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        artim.CancelAfter(options.ArtimTimeout);
        var pending = _pending.Enter(artim);
        try
        {
            if (options.TlsServer is { } tls)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                await ssl.AuthenticateAsServerAsync(tls, artim.Token).ConfigureAwait(false);
                stream = ssl;
            }
            reader = new PduReader(stream, options.MaxPduLength, _options.MaxAssociateRequestLength);
            var request = await ReadAssociateRequestAsync(stream, reader, artim.Token).ConfigureAwait(false);
            if (request is null)
            {
                return;
            }
            var reject = _negotiator.Vet(request);
            if (reject is null)
            {
                if (Interlocked.Increment(ref _associations) > _options.MaxAssociations)
                {
                    Interlocked.Decrement(ref _associations);
                    reject = new AssociateReject(RejectResult.Transient, RejectSource.ServiceProviderPresentation, 2); // local-limit-exceeded
                }
                else
                {
                    counted = true;
                }
            }
            if (reject is not null)
            {
                await WriteQuietlyAsync(stream, AssociatePduCodec.Encode(reject)).ConfigureAwait(false);
                await WaitForPeerCloseAsync(reader, options, artim.Token).ConfigureAwait(false);
                return;
            }
            _pending.Leave(pending);
            var accept = _negotiator.Answer(request);
            association = new DicomAssociation(client, stream, reader, options, isRequestor: false, request, accept);
            await association.WriteAsync(AssociatePduCodec.Encode(accept), _stopping.Token).ConfigureAwait(false);
            await ServeDimseAsync(association).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (association is null && !_stopping.IsCancellationRequested)
        {
            // ARTIM expired before a request arrived, or the slot went to a newer connection: close without a word (AA-2)
        }
        catch (Exception e)
        {
            if (!_stopping.IsCancellationRequested)
            {
                AssociationFailed?.Invoke(e);
            }
        }
        finally
        {
            _pending.Leave(pending);
            if (counted)
            {
                Interlocked.Decrement(ref _associations);
            }
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

    /// <summary>
    /// Sta2 of PS3.8 §9.2.3: the first PDU must be a decodable A-ASSOCIATE-RQ. An A-ABORT closes quietly (AA-2); any other
    /// PDU, or one that cannot be read or decoded, gets a single A-ABORT (AA-1, service-user source) before the close.
    /// Null means the connection is done with.
    /// </summary>
    private async Task<AssociateRequest?> ReadAssociateRequestAsync(Stream stream, PduReader reader, CancellationToken artim)
    {
        var options = _options.Association;
        try
        {
            var pdu = await reader.ReadAsync(options.ArtimTimeout, "A-ASSOCIATE-RQ (ARTIM)", artim).ConfigureAwait(false);
            if (pdu is not { } first || first.Type == PduType.Abort)
            {
                return null;
            }
            if (first.Type != PduType.AssociateRequest)
            {
                throw new PduFormatException($"expected A-ASSOCIATE-RQ, got {first.Type}");
            }
            return AssociatePduCodec.DecodeRequest(first.Body.Span);
        }
        catch (Exception e) when (e is PduFormatException or DicomTimeoutException)
        {
            if (e is PduFormatException && !_stopping.IsCancellationRequested)
            {
                AssociationFailed?.Invoke(e);
                await WriteQuietlyAsync(stream, AssociatePduCodec.EncodeAbort(AbortSource.ServiceUser, AbortReason.NotSpecified)).ConfigureAwait(false);
                await WaitForPeerCloseAsync(reader, options, artim).ConfigureAwait(false);
            }
            return null;
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

    /// <summary>Sta13: wait (ARTIM) for the peer to close after our A-ASSOCIATE-RJ or A-ABORT, reading what it still sends.</summary>
    private static async Task WaitForPeerCloseAsync(PduReader reader, AssociationOptions options, CancellationToken artim)
    {
        try
        {
            await reader.ReadAsync(options.ArtimTimeout, "the peer to close", artim).ConfigureAwait(false);
        }
        catch (Exception e) when (e is DicomNetworkException or OperationCanceledException)
        {
            // ARTIM expired, the slot was needed or the peer sent garbage: we close regardless
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
