using System.Runtime.CompilerServices;

namespace CathLab.Wire.FrameLink;

/// <summary>Reads detector-to-client messages from a stream: the header, then its payload into a
/// buffer the caller owns. No allocation per message.</summary>
public sealed class FrameLinkStreamReader
{
    private readonly Stream _stream;
    private readonly byte[] _header = new byte[FrameHeader.Size];

    public FrameLinkStreamReader(Stream stream) => _stream = stream;

    /// <summary>Reads the next header. Throws <see cref="InvalidDataException"/> when it does not decode
    /// and <see cref="EndOfStreamException"/> when the peer closed the connection.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<FrameHeader> ReadHeaderAsync(CancellationToken cancellationToken = default)
    {
        await _stream.ReadExactlyAsync(_header, cancellationToken).ConfigureAwait(false);
        var status = FrameHeader.TryRead(_header, out var header);
        if (status != FrameHeaderStatus.Ok)
        {
            throw new InvalidDataException($"frame-link header rejected: {status}");
        }
        return header;
    }

    /// <summary>Reads the payload that belongs to <paramref name="header"/> into <paramref name="destination"/>.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask ReadPayloadAsync(FrameHeader header, Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        if (destination.Length < header.PayloadLength)
        {
            throw new ArgumentException($"payload of {header.PayloadLength} bytes does not fit in {destination.Length}", nameof(destination));
        }
        await _stream.ReadExactlyAsync(destination[..(int)header.PayloadLength], cancellationToken).ConfigureAwait(false);
    }
}
