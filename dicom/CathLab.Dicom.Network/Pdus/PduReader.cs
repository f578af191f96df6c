using System.Buffers;
using System.Buffers.Binary;
using System.Net.Security;
using System.Net.Sockets;
using CathLab.Dicom.Network.Status;

namespace CathLab.Dicom.Network.Pdus;

/// <summary>
/// Reads whole PDUs from a stream into one pooled buffer. Every length is checked before anything is
/// allocated or read: a P-DATA-TF may not exceed the maximum we advertised, association PDUs are capped,
/// fixed-size PDUs must be exactly their size, and a stream that ends mid-PDU is reported as truncated.
/// </summary>
public sealed class PduReader : IDisposable
{
    public const int HeaderLength = 6;
    /// <summary>Association negotiation PDUs are a few KB; 1 MiB is far beyond any honest one.</summary>
    public const int MaxAssociatePduLength = 1 << 20;
    private const uint FixedPduLength = 4;

    private readonly Stream _stream;
    private readonly uint _maxDataPduLength;
    private readonly uint _maxAssociatePduLength;
    private byte[] _buffer;
    private int _headerBytesRead;

    /// <param name="maxDataPduLength">The largest P-DATA-TF variable field this side advertised (never 0 here).</param>
    /// <param name="maxAssociatePduLength">The largest A-ASSOCIATE-RQ/AC accepted; an acceptor takes far less than the default
    /// from peers it has not associated with yet.</param>
    public PduReader(Stream stream, uint maxDataPduLength, int maxAssociatePduLength = MaxAssociatePduLength)
    {
        ArgumentOutOfRangeException.ThrowIfZero(maxDataPduLength);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxAssociatePduLength);
        _stream = stream;
        _maxDataPduLength = maxDataPduLength;
        _maxAssociatePduLength = (uint)Math.Min(maxAssociatePduLength, MaxAssociatePduLength);
        _buffer = ArrayPool<byte>.Shared.Rent(HeaderLength + (int)Math.Min(maxDataPduLength, 64 * 1024));
    }

    /// <summary>True when the last read timed out before any byte of a new PDU arrived, so the stream is still in step.</summary>
    public bool TimedOutBetweenPdus { get; private set; }

    /// <summary>Reads the next PDU. Returns null when the peer closed the connection cleanly between PDUs.</summary>
    public async ValueTask<RawPdu?> ReadAsync(TimeSpan timeout, string waitingFor, CancellationToken cancellation = default)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timer.CancelAfter(timeout);
        TimedOutBetweenPdus = false;
        var started = false;
        try
        {
            var got = await FillAsync(_buffer.AsMemory(0, HeaderLength), allowCleanEnd: true, timer.Token).ConfigureAwait(false);
            started = true;
            if (!got)
            {
                return null;
            }
            var type = _buffer[0];
            var length = BinaryPrimitives.ReadUInt32BigEndian(_buffer.AsSpan(2));
            var limit = LimitFor(type);
            if (length > limit)
            {
                throw new PduFormatException($"{(PduType)type} PDU declares {length} bytes, more than the {limit} allowed");
            }
            if (limit == FixedPduLength && length != FixedPduLength)
            {
                throw new PduFormatException($"{(PduType)type} PDU must be {FixedPduLength} bytes long, not {length}");
            }
            EnsureCapacity(HeaderLength + (int)length);
            await FillAsync(_buffer.AsMemory(HeaderLength, (int)length), allowCleanEnd: false, timer.Token).ConfigureAwait(false);
            return new RawPdu((PduType)type, _buffer.AsMemory(HeaderLength, (int)length));
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            TimedOutBetweenPdus = !started && _headerBytesRead == 0;
            throw new DicomTimeoutException(waitingFor, timeout);
        }
        catch (IOException e) when (_stream is SslStream && e.InnerException is { } inner && inner is not SocketException)
        {
            // A TLS alert after the handshake (TLS 1.3 sends a refused client certificate's alert only then): the peer
            // will refuse every attempt the same way.
            while (inner.InnerException is { } deeper) inner = deeper;
            throw new DicomNetworkException($"the TLS session failed while waiting for {waitingFor}: {inner.Message}", FailureKind.Permanent, NetworkFailureReason.TlsFailure, e);
        }
        catch (IOException e)
        {
            throw new AssociationAbortedException(AbortSource.ServiceProvider, AbortReason.NotSpecified, $"connection lost while waiting for {waitingFor}: {e.Message}");
        }
    }

    private uint LimitFor(byte type) => type switch
    {
        (byte)PduType.DataTransfer => _maxDataPduLength,
        (byte)PduType.AssociateRequest or (byte)PduType.AssociateAccept => _maxAssociatePduLength,
        (byte)PduType.AssociateReject or (byte)PduType.ReleaseRequest or (byte)PduType.ReleaseResponse or (byte)PduType.Abort => FixedPduLength,
        _ => throw new PduFormatException($"unknown PDU type 0x{type:X2}"),
    };

    private void EnsureCapacity(int needed)
    {
        if (_buffer.Length >= needed)
        {
            return;
        }
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = ArrayPool<byte>.Shared.Rent(needed);
    }

    private async ValueTask<bool> FillAsync(Memory<byte> target, bool allowCleanEnd, CancellationToken cancellation)
    {
        var filled = 0;
        _headerBytesRead = 0;
        while (filled < target.Length)
        {
            var n = await _stream.ReadAsync(target[filled..], cancellation).ConfigureAwait(false);
            _headerBytesRead += n;
            if (n == 0)
            {
                if (filled == 0 && allowCleanEnd)
                {
                    return false;
                }
                throw new PduFormatException($"stream ended inside a PDU after {filled} of {target.Length} bytes");
            }
            filled += n;
        }
        return true;
    }

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, []);
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
