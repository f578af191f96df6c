using System.Buffers;
using CathLab.Dicom.Network.Association;
using CathLab.Dicom.Network.Pdus;
using CathLab.Dicom.Network.Status;

namespace CathLab.Dicom.Network.Dimse;

/// <summary>
/// Sends and receives DIMSE messages over an association: the command (implicit VR LE) as command PDVs,
/// then the data set as data PDVs, fragmented to the peer's maximum PDU and reassembled on receipt.
/// </summary>
public sealed class DimseChannel(DicomAssociation association)
{
    private readonly List<(int Offset, int Length, byte ContextId, byte Control)> _pdvs = [];
    private ReadOnlyMemory<byte> _pdu;
    private int _nextPdv;
    private ushort _messageId;

    public DicomAssociation Association { get; } = association;

    public ushort NextMessageId() => _messageId = (ushort)(_messageId == ushort.MaxValue ? 1 : _messageId + 1);

    public async Task SendAsync(byte contextId, CommandSet command, ReadOnlyMemory<byte>? dataSet, CancellationToken cancellation = default)
    {
        command.HasDataSet = dataSet is not null;
        await Association.Writer.SendAsync(contextId, isCommand: true, command.Encode(), cancellation).ConfigureAwait(false);
        if (dataSet is { } data)
        {
            await Association.Writer.SendAsync(contextId, isCommand: false, data, cancellation).ConfigureAwait(false);
        }
    }

    /// <summary>Sends a command followed by <paramref name="length"/> bytes of data set read from <paramref name="dataSet"/> as they are sent.</summary>
    public async Task SendAsync(byte contextId, CommandSet command, Stream dataSet, long length, CancellationToken cancellation = default)
    {
        command.HasDataSet = true;
        await Association.Writer.SendCommandAndDataSetAsync(contextId, command.Encode(), dataSet, length, cancellation).ConfigureAwait(false);
    }

    /// <summary>Sends a command followed by a data set read from <paramref name="dataSet"/> until it ends (length unknown beforehand).</summary>
    public async Task SendToEndAsync(byte contextId, CommandSet command, Stream dataSet, CancellationToken cancellation = default)
    {
        command.HasDataSet = true;
        await Association.Writer.SendCommandAndDataSetToEndAsync(contextId, command.Encode(), dataSet, cancellation).ConfigureAwait(false);
    }

    /// <summary>
    /// Receives the next whole message. Returns null when the peer released the association (answered here).
    /// <paramref name="timeout"/> bounds the wait for each PDU, so a peer that stalls mid-message is caught too.
    /// </summary>
    /// <param name="optional">A wait that may end with nothing: a timeout before the first byte leaves the association established.</param>
    public async Task<DimseMessage?> ReceiveAsync(TimeSpan timeout, DataSetSinkFactory? sinks = null, CancellationToken cancellation = default, bool optional = false)
    {
        var commandBytes = ArrayPool<byte>.Shared.Rent(4096);
        var commandLength = 0;
        CommandSet? command = null;
        Stream? sink = null;
        byte contextId = 0;
        try
        {
            while (true)
            {
                if (_nextPdv >= _pdvs.Count)
                {
                    var what = command is null ? "a DIMSE command" : $"the data set of {command.Field}";
                    var pdu = await Association.ReadPduAsync(timeout, what, cancellation, optional && command is null && commandLength == 0).ConfigureAwait(false);
                    if (pdu.Type == PduType.ReleaseRequest)
                    {
                        AssociatePduCodec.RequireFixedLength(pdu.Body.Span, PduType.ReleaseRequest);
                        if (command is not null)
                        {
                            await Association.AbortAsync(AbortReason.UnexpectedPdu).ConfigureAwait(false);
                            throw new AssociationAbortedException(AbortSource.ServiceProvider, AbortReason.UnexpectedPdu, "peer asked to release in the middle of a DIMSE message");
                        }
                        await Association.AnswerReleaseAsync(cancellation).ConfigureAwait(false);
                        return null;
                    }
                    if (pdu.Type != PduType.DataTransfer)
                    {
                        await Association.AbortAsync(AbortReason.UnexpectedPdu).ConfigureAwait(false);
                        throw new PduFormatException($"unexpected {pdu.Type} PDU on an established association");
                    }
                    IndexPdvs(pdu.Body.Span);
                    _pdu = pdu.Body;
                }
                // PDVs left over from a PDU that finished an earlier message are this message's (PS3.8 §9.3.5 allows
                // several messages' PDVs in one PDU); the reader's buffer still holds them, since nothing was read since.
                while (_nextPdv < _pdvs.Count)
                {
                    var (offset, length, id, control) = _pdvs[_nextPdv++];
                    var isCommand = (control & 1) != 0;
                    var isLast = (control & 2) != 0;
                    var fragment = _pdu.Slice(offset, length);
                    var context = Association.GetContext(id);
                    if (command is null)
                    {
                        if (!isCommand)
                        {
                            throw new PduFormatException("data set fragment arrived before its command");
                        }
                        if (commandLength + length > CommandSet.MaxEncodedLength)
                        {
                            throw new PduFormatException($"command set exceeds {CommandSet.MaxEncodedLength} bytes");
                        }
                        if (commandLength + length > commandBytes.Length)
                        {
                            var bigger = ArrayPool<byte>.Shared.Rent(CommandSet.MaxEncodedLength);
                            commandBytes.AsSpan(0, commandLength).CopyTo(bigger);
                            ArrayPool<byte>.Shared.Return(commandBytes);
                            commandBytes = bigger;
                        }
                        fragment.Span.CopyTo(commandBytes.AsSpan(commandLength));
                        commandLength += length;
                        contextId = id;
                        if (!isLast)
                        {
                            continue;
                        }
                        command = CommandSet.Decode(commandBytes.AsSpan(0, commandLength));
                        if (!command.HasDataSet)
                        {
                            return new DimseMessage(contextId, context.TransferSyntax, command, null);
                        }
                        sink = sinks?.Invoke(contextId, context.TransferSyntax, command) ?? new DataSetBuffer(DataSetCodec.MaxLength);
                        continue;
                    }
                    if (isCommand || id != contextId)
                    {
                        throw new PduFormatException("command fragment or another context's fragment arrived inside a data set");
                    }
                    await sink!.WriteAsync(fragment, cancellation).ConfigureAwait(false);
                    if (isLast)
                    {
                        if (sink is MemoryStream or DataSetBuffer)
                        {
                            sink.Position = 0;
                        }
                        return new DimseMessage(contextId, context.TransferSyntax, command, sink);
                    }
                }
            }
        }
        catch (PduFormatException)
        {
            _nextPdv = _pdvs.Count;
            if (sink is not null)
            {
                await sink.DisposeAsync().ConfigureAwait(false);
            }
            await Association.AbortAsync(AbortReason.InvalidPduParameterValue).ConfigureAwait(false);
            throw;
        }
        catch
        {
            _nextPdv = _pdvs.Count;
            if (sink is not null)
            {
                await sink.DisposeAsync().ConfigureAwait(false);
            }
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(commandBytes);
        }
    }

    private void IndexPdvs(ReadOnlySpan<byte> body)
    {
        _pdvs.Clear();
        _nextPdv = 0;
        var offset = 0;
        foreach (var pdv in new PdvEnumerator(body))
        {
            _pdvs.Add((offset + 6, pdv.Fragment.Length, pdv.ContextId, (byte)((pdv.IsCommand ? 1 : 0) | (pdv.IsLast ? 2 : 0))));
            offset += 6 + pdv.Fragment.Length;
        }
    }
}
