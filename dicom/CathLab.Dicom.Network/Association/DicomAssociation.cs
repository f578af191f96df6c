using System.Net.Sockets;
using CathLab.Dicom.Network.Pdus;
using CathLab.Dicom.Network.Status;

namespace CathLab.Dicom.Network.Association;

/// <summary>
/// An established association, from either side. Owns the connection, the PDU reader and the P-DATA writer.
/// Not thread-safe: one DIMSE exchange at a time (asynchronous operations window 1/1).
/// </summary>
public sealed class DicomAssociation : IAsyncDisposable
{
    private readonly TcpClient _client;
    private readonly Stream _stream;
    private readonly PduReader _reader;
    private readonly CancellationTokenSource _writeTimer = new();
    private readonly Dictionary<byte, AcceptedContext> _contexts;
    private PDataWriter? _writer;

    internal DicomAssociation(TcpClient client, Stream stream, PduReader reader, AssociationOptions options,
        bool isRequestor, AssociateRequest request, AssociateAccept accept)
    {
        _client = client;
        _stream = stream;
        _reader = reader;
        Options = options;
        IsRequestor = isRequestor;
        Request = request;
        Accept = accept;
        _contexts = [];
        foreach (var result in accept.PresentationContexts.Where(r => r.IsAccepted))
        {
            var proposal = request.PresentationContexts.FirstOrDefault(p => p.Id == result.Id);
            if (proposal is not null)
            {
                _contexts[result.Id] = new AcceptedContext(result.Id, proposal.AbstractSyntax, result.TransferSyntax);
            }
        }
        State = AssociationState.Established;
    }

    public AssociationOptions Options { get; }
    public bool IsRequestor { get; }
    public AssociateRequest Request { get; }
    public AssociateAccept Accept { get; }
    public AssociationState State { get; private set; }
    public string CallingAeTitle => Request.CallingAeTitle;
    public string CalledAeTitle => Request.CalledAeTitle;
    public IReadOnlyCollection<AcceptedContext> AcceptedContexts => _contexts.Values;

    /// <summary>The largest P-DATA-TF variable field the peer accepts (0: no limit).</summary>
    public uint PeerMaxPduLength => IsRequestor ? Accept.UserInformation.MaxPduLength : Request.UserInformation.MaxPduLength;

    /// <summary>The P-DATA-TF variable field length we actually send: the peer's limit, or ours when it has none.</summary>
    public int SendPduLength => (int)Math.Min(PeerMaxPduLength == 0 ? Options.MaxSendPduLength : PeerMaxPduLength, Options.MaxSendPduLength);

    internal PDataWriter Writer => _writer ??= new PDataWriter(this, SendPduLength);

    public AcceptedContext? FindContext(string abstractSyntax, string? transferSyntax = null) =>
        _contexts.Values.FirstOrDefault(c => c.AbstractSyntax == abstractSyntax && (transferSyntax is null || c.TransferSyntax == transferSyntax));

    public AcceptedContext GetContext(byte id) =>
        _contexts.TryGetValue(id, out var context)
            ? context
            : throw new PduFormatException($"presentation context {id} was not accepted on this association");

    internal async ValueTask WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellation)
    {
        if (!_writeTimer.TryReset())
        {
            throw new DicomTimeoutException("an earlier write to the peer", Options.WriteTimeout);
        }
        _writeTimer.CancelAfter(Options.WriteTimeout);
        try
        {
            using var link = cancellation.CanBeCanceled ? cancellation.Register(static s => ((CancellationTokenSource)s!).Cancel(), _writeTimer) : default;
            await _stream.WriteAsync(bytes, _writeTimer.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            AbortQuietly();
            throw new DicomTimeoutException("the peer to read what we send", Options.WriteTimeout);
        }
        catch (IOException e)
        {
            AbortQuietly();
            throw new AssociationAbortedException(AbortSource.ServiceProvider, AbortReason.NotSpecified, $"connection lost while sending: {e.Message}");
        }
    }

    /// <summary>Reads the next PDU in the established state. A-ABORT and a dropped connection become exceptions.</summary>
    /// <param name="idleTimeoutKeepsAssociation">When the wait ends before any byte of a PDU arrived, leave the association
    /// established instead of aborting it (for optional waits, such as a storage commitment report).</param>
    internal async ValueTask<RawPdu> ReadPduAsync(TimeSpan timeout, string waitingFor, CancellationToken cancellation, bool idleTimeoutKeepsAssociation = false)
    {
        RawPdu? pdu;
        try
        {
            TcpQuickAck.Request(_client);
            pdu = await _reader.ReadAsync(timeout, waitingFor, cancellation).ConfigureAwait(false);
        }
        catch (PduFormatException)
        {
            await AbortAsync(AbortReason.InvalidPduParameterValue).ConfigureAwait(false);
            throw;
        }
        catch (DicomTimeoutException) when (!(idleTimeoutKeepsAssociation && _reader.TimedOutBetweenPdus))
        {
            await AbortAsync(AbortReason.NotSpecified).ConfigureAwait(false);
            throw;
        }
        if (pdu is not { } received)
        {
            Close();
            throw new AssociationAbortedException(AbortSource.ServiceProvider, AbortReason.NotSpecified, $"peer closed the connection while we waited for {waitingFor}");
        }
        if (received.Type == PduType.Abort)
        {
            var (source, reason) = AssociatePduCodec.DecodeAbort(received.Body.Span);
            Close();
            throw new AssociationAbortedException(source, reason, $"peer sent A-ABORT while we waited for {waitingFor}");
        }
        return received;
    }

    /// <summary>Requestor side: A-RELEASE-RQ, then wait (ARTIM) for A-RELEASE-RP and close.</summary>
    public async Task ReleaseAsync(CancellationToken cancellation = default)
    {
        if (State != AssociationState.Established)
        {
            return;
        }
        await WriteAsync(AssociatePduCodec.EncodeReleaseRequest(), cancellation).ConfigureAwait(false);
        State = AssociationState.AwaitingReleaseResponse;
        while (true)
        {
            var pdu = await ReadPduAsync(Options.ArtimTimeout, "A-RELEASE-RP", cancellation).ConfigureAwait(false);
            switch (pdu.Type)
            {
                case PduType.ReleaseResponse:
                    Close();
                    return;
                case PduType.ReleaseRequest:
                    // release collision (PS3.8 §9.2.3): the requestor answers first, then waits for its own RP
                    await WriteAsync(AssociatePduCodec.EncodeReleaseResponse(), cancellation).ConfigureAwait(false);
                    break;
                case PduType.DataTransfer:
                    break; // late data from the peer after our release request: PS3.8 lets us drop it
                default:
                    await AbortAsync(AbortReason.UnexpectedPdu).ConfigureAwait(false);
                    throw new PduFormatException($"unexpected {pdu.Type} while waiting for A-RELEASE-RP");
            }
        }
    }

    /// <summary>Acceptor side: answer the peer's A-RELEASE-RQ and wait (ARTIM) for it to close the connection.</summary>
    internal async Task AnswerReleaseAsync(CancellationToken cancellation)
    {
        await WriteAsync(AssociatePduCodec.EncodeReleaseResponse(), cancellation).ConfigureAwait(false);
        State = AssociationState.Closed;
        try
        {
            await _reader.ReadAsync(Options.ArtimTimeout, "the peer to close after A-RELEASE-RP", cancellation).ConfigureAwait(false);
        }
        catch (DicomNetworkException)
        {
            // ARTIM expired or the stream broke: either way we close our side now
        }
        Close();
    }

    public async Task AbortAsync(AbortReason reason = AbortReason.NotSpecified)
    {
        if (State == AssociationState.Closed)
        {
            return;
        }
        State = AssociationState.Closed;
        try
        {
            using var timer = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            var source = reason == AbortReason.NotSpecified ? AbortSource.ServiceUser : AbortSource.ServiceProvider;
            await _stream.WriteAsync(AssociatePduCodec.EncodeAbort(source, reason), timer.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // the peer may already be gone; an abort is best effort
        }
        Close();
    }

    private void AbortQuietly()
    {
        State = AssociationState.Closed;
        Close();
    }

    private void Close()
    {
        State = AssociationState.Closed;
        _stream.Dispose();
        _client.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        if (State == AssociationState.Established)
        {
            try
            {
                if (IsRequestor)
                {
                    await ReleaseAsync().ConfigureAwait(false);
                }
                else
                {
                    await AbortAsync().ConfigureAwait(false);
                }
            }
            catch (DicomNetworkException)
            {
                // disposal must not throw; the association is gone either way
            }
        }
        Close();
        _writer?.Dispose();
        _reader.Dispose();
        _writeTimer.Dispose();
    }
}
