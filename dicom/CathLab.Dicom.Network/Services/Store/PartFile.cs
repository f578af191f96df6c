namespace CathLab.Dicom.Network.Services.Store;

/// <summary>
/// One incoming object on its way to disk: a temporary file of its own (so two transfers of the same SOP Instance UID
/// never share one), renamed to the final name on <see cref="CommitAsync"/> and deleted if disposed before. A write that
/// fails (disk full, say) is remembered and the rest of the data set is dropped, so the association survives to hear
/// a failure status.
/// </summary>
internal sealed class PartFile : Stream
{
    public const string Extension = ".part";

    private readonly FileStream _file;
    private bool _committed;

    public PartFile(string directory, string instance)
    {
        FinalPath = Path.Combine(directory, instance + ".dcm");
        TempPath = Path.Combine(directory, $"{instance}.{Random.Shared.Next():x8}{Extension}");
        _file = new FileStream(TempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16, FileOptions.SequentialScan);
    }

    public string TempPath { get; }
    public string FinalPath { get; }

    /// <summary>Why the data set could not be written, when it could not.</summary>
    public Exception? WriteError { get; private set; }

    public override long Length => _file.Length;

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (WriteError is not null) return;
        try
        {
            _file.Write(buffer);
        }
        catch (IOException e)
        {
            WriteError = e;
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (WriteError is not null) return;
        try
        {
            await _file.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            WriteError = e;
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>Flushes, closes and renames the file to &lt;SOP Instance UID&gt;.dcm (replacing one there); returns its length.</summary>
    public async Task<long> CommitAsync(CancellationToken cancellation)
    {
        await _file.FlushAsync(cancellation).ConfigureAwait(false);
        var length = _file.Length;
        await _file.DisposeAsync().ConfigureAwait(false);
        File.Move(TempPath, FinalPath, overwrite: true);
        _committed = true;
        return length;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            try
            {
                _file.Dispose();
            }
            catch (IOException)
            {
                // the flush of a file we are about to delete failed: nothing is lost
            }
            if (!_committed)
            {
                File.Delete(TempPath);
            }
        }
        base.Dispose(disposing);
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Position { get => _file.Position; set => throw new NotSupportedException(); }
    public override void Flush() => _file.Flush();
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
