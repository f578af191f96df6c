namespace CathLab.FirmwareBridge.Link;

/// <summary>One open serial line: the byte pipe under the generator protocol. The link disposes it on a thread of its own,
/// so a close that hangs on a vanished device holds up nothing but that thread.</summary>
public interface ISerialConnection : IDisposable
{
    /// <summary>Reads what has arrived, waiting at most <paramref name="timeoutMs"/>; 0 when nothing came.
    /// Throws <see cref="IOException"/> (or <see cref="ObjectDisposedException"/>) when the line is gone.</summary>
    int Read(Span<byte> buffer, int timeoutMs);

    /// <summary>Writes all bytes; throws <see cref="IOException"/> when the line is gone or the write stalls. It must
    /// return (or throw) within a bounded time: the link's heartbeats and ExposeOff go through it.</summary>
    void Write(ReadOnlySpan<byte> bytes);
}

/// <summary>Opens the serial line; called again after a cable pull until the line is back.</summary>
public interface ISerialConnector
{
    /// <summary>Describes the line for logs and errors.</summary>
    string Description { get; }

    /// <summary>Opens the line or throws (<see cref="IOException"/>, <see cref="UnauthorizedAccessException"/>) when it is not there.</summary>
    ISerialConnection Open();
}
