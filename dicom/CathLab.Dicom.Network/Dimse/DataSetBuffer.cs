namespace CathLab.Dicom.Network.Dimse;

/// <summary>
/// Where a received data set goes when its service keeps it in memory (identifiers, N-service attribute lists). Keeps at
/// most <c>capacity</c> bytes and drops the rest while it streams in, so a peer cannot grow memory with a huge data set;
/// <see cref="DataSetCodec.Decode"/> refuses one that overflowed. Reads back from the start once received.
/// </summary>
public sealed class DataSetBuffer(int capacity) : Stream
{
    private readonly MemoryStream _kept = new();

    /// <summary>Bytes the peer sent, kept or not.</summary>
    public long Received { get; private set; }

    public bool Overflowed => Received > capacity;

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Received += buffer.Length;
        if (!Overflowed)
        {
            _kept.Write(buffer);
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Write(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override int Read(byte[] buffer, int offset, int count) => _kept.Read(buffer, offset, count);
    public override int Read(Span<byte> buffer) => _kept.Read(buffer);
    public override long Seek(long offset, SeekOrigin origin) => _kept.Seek(offset, origin);
    public override long Length => _kept.Length;
    public override long Position { get => _kept.Position; set => _kept.Position = value; }
    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => true;
    public override void Flush() { }
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _kept.Dispose();
        }
        base.Dispose(disposing);
    }
}
