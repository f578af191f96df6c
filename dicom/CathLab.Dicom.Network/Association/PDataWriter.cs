using System.Buffers;
using System.Buffers.Binary;

namespace CathLab.Dicom.Network.Association;

/// <summary>
/// Sends commands and data sets as P-DATA-TF PDUs of one PDV each, never larger than the peer's maximum.
/// One pooled buffer per association; a data set from a stream goes straight from the stream into that buffer.
/// </summary>
internal sealed class PDataWriter : IDisposable
{
    private const int Overhead = 12; // PDU header (6) + PDV length (4) + context ID (1) + message control header (1)
    private readonly DicomAssociation _association;
    private readonly int _maxFragment;
    private const int BatchBytes = 256 * 1024;
    private byte[] _buffer;
    private byte[]? _batch;

    public PDataWriter(DicomAssociation association, int pduLength)
    {
        // a PDV of at least one byte must fit (PDV header 6 bytes), or no data set ever finishes
        ArgumentOutOfRangeException.ThrowIfLessThan(pduLength, 7);
        _association = association;
        _maxFragment = pduLength - 6;
        _buffer = ArrayPool<byte>.Shared.Rent(pduLength + 6);
    }

    public async ValueTask SendAsync(byte contextId, bool isCommand, ReadOnlyMemory<byte> data, CancellationToken cancellation)
    {
        var offset = 0;
        do
        {
            var fragment = Math.Min(_maxFragment, data.Length - offset);
            data.Span.Slice(offset, fragment).CopyTo(_buffer.AsSpan(Overhead));
            offset += fragment;
            await SendFragmentAsync(contextId, isCommand, fragment, offset == data.Length, cancellation).ConfigureAwait(false);
        }
        while (offset < data.Length);
    }

    /// <summary>
    /// Sends a command and its data set. When both fit in one PDU they go as two PDVs of a single P-DATA-TF
    /// (PS3.8 §9.3.5 allows several PDVs per PDU): one write and one segment instead of two per small object.
    /// </summary>
    public async ValueTask SendCommandAndDataSetAsync(byte contextId, ReadOnlyMemory<byte> command, Stream source, long length, CancellationToken cancellation)
    {
        if (command.Length + 6 + length > _maxFragment)
        {
            await SendAsync(contextId, isCommand: true, command, cancellation).ConfigureAwait(false);
            await SendAsync(contextId, source, length, cancellation).ConfigureAwait(false);
            return;
        }
        var data = (int)length;
        var dataOffset = Overhead + command.Length + 6;
        if (await source.ReadAtLeastAsync(_buffer.AsMemory(dataOffset, data), data, throwOnEndOfStream: false, cancellation).ConfigureAwait(false) < data)
        {
            throw new EndOfStreamException($"data set source ended before {length} bytes");
        }
        command.Span.CopyTo(_buffer.AsSpan(Overhead));
        var span = _buffer.AsSpan();
        span[0] = 0x04;
        span[1] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(span[2..], (uint)(6 + command.Length + 6 + data));
        BinaryPrimitives.WriteUInt32BigEndian(span[6..], (uint)(command.Length + 2));
        span[10] = contextId;
        span[11] = 0x03; // command, last fragment
        var second = Overhead + command.Length;
        BinaryPrimitives.WriteUInt32BigEndian(span[second..], (uint)(data + 2));
        span[second + 4] = contextId;
        span[second + 5] = 0x02; // data set, last fragment
        await _association.WriteAsync(_buffer.AsMemory(0, dataOffset + data), cancellation).ConfigureAwait(false);
    }

    /// <summary>Streams exactly <paramref name="length"/> bytes of a data set from <paramref name="source"/>.
    /// Consecutive P-DATA-TF PDUs are packed into one write of up to <see cref="BatchBytes"/>: a 440 MB object in
    /// 16 KiB PDUs is then about 1,700 writes instead of 27,000.</summary>
    public async ValueTask SendAsync(byte contextId, Stream source, long length, CancellationToken cancellation)
    {
        _batch ??= ArrayPool<byte>.Shared.Rent(Math.Max(BatchBytes, Overhead + _maxFragment));
        long sent = 0;
        do
        {
            var used = 0;
            while (sent < length && used + Overhead + Math.Min(_maxFragment, length - sent) <= _batch.Length)
            {
                var fragment = (int)Math.Min(_maxFragment, length - sent);
                var read = await source.ReadAtLeastAsync(_batch.AsMemory(used + Overhead, fragment), fragment, throwOnEndOfStream: false, cancellation).ConfigureAwait(false);
                if (read < fragment)
                {
                    throw new EndOfStreamException($"data set source ended after {sent + read} of {length} bytes");
                }
                sent += fragment;
                WriteHeader(_batch.AsSpan(used), contextId, isCommand: false, fragment, last: sent == length);
                used += Overhead + fragment;
            }
            await _association.WriteAsync(_batch.AsMemory(0, used), cancellation).ConfigureAwait(false);
        }
        while (sent < length);
    }

    /// <summary>Sends a command, then a data set read from <paramref name="source"/> until it ends (its length is not known
    /// beforehand: a transcoded data set). One byte is read ahead of each fragment, so the last one is marked as such.</summary>
    public async ValueTask SendCommandAndDataSetToEndAsync(byte contextId, ReadOnlyMemory<byte> command, Stream source, CancellationToken cancellation)
    {
        await SendAsync(contextId, isCommand: true, command, cancellation).ConfigureAwait(false);
        _batch ??= ArrayPool<byte>.Shared.Rent(Math.Max(BatchBytes, Overhead + _maxFragment));
        var ahead = new byte[1];
        var haveAhead = await source.ReadAsync(ahead, cancellation).ConfigureAwait(false) == 1;
        var last = false;
        do
        {
            var used = 0;
            while (!last && used + Overhead + _maxFragment <= _batch.Length)
            {
                var at = used + Overhead;
                var fragment = 0;
                if (haveAhead) _batch[at + fragment++] = ahead[0];
                fragment += await source.ReadAtLeastAsync(_batch.AsMemory(at + fragment, _maxFragment - fragment), _maxFragment - fragment, throwOnEndOfStream: false, cancellation).ConfigureAwait(false);
                haveAhead = fragment == _maxFragment && await source.ReadAsync(ahead, cancellation).ConfigureAwait(false) == 1;
                last = !haveAhead;
                WriteHeader(_batch.AsSpan(used), contextId, isCommand: false, fragment, last);
                used += Overhead + fragment;
            }
            await _association.WriteAsync(_batch.AsMemory(0, used), cancellation).ConfigureAwait(false);
        }
        while (!last);
    }

    private ValueTask SendFragmentAsync(byte contextId, bool isCommand, int fragment, bool last, CancellationToken cancellation)
    {
        WriteHeader(_buffer, contextId, isCommand, fragment, last);
        return _association.WriteAsync(_buffer.AsMemory(0, Overhead + fragment), cancellation);
    }

    private static void WriteHeader(Span<byte> span, byte contextId, bool isCommand, int fragment, bool last)
    {
        span[0] = 0x04;
        span[1] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(span[2..], (uint)(fragment + 6));
        BinaryPrimitives.WriteUInt32BigEndian(span[6..], (uint)(fragment + 2));
        span[10] = contextId;
        span[11] = (byte)((isCommand ? 1 : 0) | (last ? 2 : 0));
    }

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, []);
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        if (Interlocked.Exchange(ref _batch, null) is { } batch)
        {
            ArrayPool<byte>.Shared.Return(batch);
        }
    }
}
