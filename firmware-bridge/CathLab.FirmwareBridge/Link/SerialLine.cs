namespace CathLab.FirmwareBridge.Link;

/// <summary>The open connection, if any: every lane writes through here, one frame at a time, and the first failed
/// read or write of a connection reports its loss once. Closing runs on a thread of its own: a vanished device can make
/// a close block, and no lane may wait for that.</summary>
internal sealed class SerialLine
{
    private readonly Lock _gate = new();
    private readonly Lock _writeGate = new();
    private readonly ManualResetEventSlim _ready = new(false);
    private ISerialConnection? _connection;

    /// <summary>Raised once per connection, on the thread whose read or write failed.</summary>
    public event Action<Exception>? Lost;

    public ISerialConnection? Current => _connection;

    public bool IsOpen => _connection is not null;

    public void Attach(ISerialConnection connection)
    {
        lock (_gate) _connection = connection;
        _ready.Set();
    }

    /// <summary>Waits (at most <paramref name="timeoutMs"/>) for a connection; the reader idles here while none is open.</summary>
    public ISerialConnection? WaitForConnection(int timeoutMs)
    {
        var connection = _connection;
        if (connection is not null) return connection;
        _ready.Wait(timeoutMs);
        return _connection;
    }

    public bool TryWrite(ReadOnlySpan<byte> frame)
    {
        var connection = _connection;
        if (connection is null) return false;
        try
        {
            lock (_writeGate) connection.Write(frame);
            return true;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or UnauthorizedAccessException)
        {
            Fail(connection, e);
            return false;
        }
    }

    /// <summary>The connection failed: detach it, report the loss (once), close it.</summary>
    public void Fail(ISerialConnection connection, Exception cause)
    {
        if (!Detach(connection)) return;
        Lost?.Invoke(cause);
        Release(connection);
    }

    /// <summary>Closes the connection without reporting a loss (a failed identification, disposal).</summary>
    public void Close()
    {
        var connection = _connection;
        if (connection is not null && Detach(connection)) Release(connection);
    }

    private bool Detach(ISerialConnection connection)
    {
        lock (_gate)
        {
            if (!ReferenceEquals(_connection, connection)) return false;
            _connection = null;
            _ready.Reset();
            return true;
        }
    }

    private static void Release(ISerialConnection connection)
    {
        var closer = new Thread(static state =>
        {
            try
            {
                ((ISerialConnection)state!).Dispose();
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException or UnauthorizedAccessException)
            {
                // a line that cannot even close is gone already; its loss was reported
            }
        })
        { IsBackground = true, Name = "generator-link close" };
        closer.Start(connection);
    }
}
