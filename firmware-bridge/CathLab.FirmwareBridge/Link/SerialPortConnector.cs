using System.IO.Ports;

namespace CathLab.FirmwareBridge.Link;

/// <summary>A real serial port (or pseudo-terminal) through System.IO.Ports: 8N1, no flow control.
/// When the device vanishes (a USB adapter unplugged, a pty whose other end died), System.IO.Ports on Linux can
/// block in Close/Dispose for good. So writes are bounded by <paramref name="writeTimeout"/> (a stalled write marks the
/// connection broken), and Dispose closes the port on a background thread and abandons it if the close hangs. The link
/// is never held up by the port.</summary>
public sealed class SerialPortConnector(string portName, int baudRate = 115200, TimeSpan? writeTimeout = null) : ISerialConnector
{
    /// <summary>A frame of 258 bytes takes 22 ms at 115200 baud. A stalled write only decides when the station reports the
    /// line lost: emission already stops by the generator's own heartbeat watchdog, because heartbeats stop going out.
    /// A false loss interrupts an exam, and a loaded two-core computer stalled pty writes past 100 ms, so the bound is 500 ms.</summary>
    public static readonly TimeSpan DefaultWriteTimeout = TimeSpan.FromMilliseconds(500);

    public string PortName { get; } = portName;
    public int BaudRate { get; } = baudRate;
    public TimeSpan WriteTimeout { get; } = writeTimeout ?? DefaultWriteTimeout;

    public string Description => $"{PortName} at {BaudRate} baud 8N1";

    /// <summary>Ports whose close hung and were left to a background thread (each costs one blocked thread).</summary>
    public static long AbandonedPorts => Interlocked.Read(ref s_abandoned);

    private static long s_abandoned;

    public ISerialConnection Open()
    {
        if (!File.Exists(PortName) && !OperatingSystem.IsWindows())
        {
            throw new IOException($"serial port {PortName} does not exist");
        }
        int timeoutMs = (int)Math.Max(1, WriteTimeout.TotalMilliseconds);
        var port = new SerialPort(PortName, BaudRate, Parity.None, 8, StopBits.One)
        {
            Handshake = Handshake.None,
            ReadTimeout = 20,
            WriteTimeout = timeoutMs,
            DtrEnable = false,
            RtsEnable = false,
        };
        try
        {
            port.Open();
            port.DiscardInBuffer();
        }
        catch
        {
            CloseDetached(port);
            throw;
        }
        return new SerialPortConnection(port, timeoutMs);
    }

    /// <summary>Closes the port on a thread of its own and waits a little; a close that hangs is abandoned.</summary>
    private static void CloseDetached(SerialPort port)
    {
        var closer = new Thread(static state =>
        {
            var p = (SerialPort)state!;
            try { p.Close(); } catch (Exception e) when (e is IOException or InvalidOperationException or UnauthorizedAccessException) { }
            try { p.Dispose(); } catch (Exception e) when (e is IOException or InvalidOperationException or UnauthorizedAccessException) { }
        })
        { IsBackground = true, Name = $"serial close {port.PortName}" };
        closer.Start(port);
        if (!closer.Join(TimeSpan.FromMilliseconds(200)))
        {
            Interlocked.Increment(ref s_abandoned);
        }
    }

    private sealed class SerialPortConnection : ISerialConnection
    {
        private readonly SerialPort _port;
        private readonly int _writeTimeoutMs;
        private readonly byte[] _readBuffer = new byte[512];
        private readonly byte[] _writeBuffer = new byte[4 * 258];
        private int _readTimeout = 20;
        private volatile string? _broken;
        private int _disposed;

        public SerialPortConnection(SerialPort port, int writeTimeoutMs)
        {
            _port = port;
            _writeTimeoutMs = writeTimeoutMs;
        }

        public int Read(Span<byte> buffer, int timeoutMs)
        {
            if (_broken is { } why) throw new IOException(why);
            if (timeoutMs != _readTimeout)
            {
                _port.ReadTimeout = timeoutMs;
                _readTimeout = timeoutMs;
            }
            try
            {
                int n = _port.Read(_readBuffer, 0, Math.Min(buffer.Length, _readBuffer.Length));
                if (n == 0)
                {
                    throw new IOException($"serial port {_port.PortName} closed");
                }
                _readBuffer.AsSpan(0, n).CopyTo(buffer);
                return n;
            }
            catch (TimeoutException)
            {
                return 0;
            }
            catch (InvalidOperationException e) // ObjectDisposedException too: the port closed itself on an I/O error
            {
                throw new IOException($"serial port {_port.PortName} is gone", e);
            }
        }

        /// <summary>One writer at a time (the link serialises writes). The write runs on the caller's thread, bounded by the
        /// port's WriteTimeout: on Linux, after the device vanished, a write times out or fails (only Close can hang for
        /// good, and it runs detached). Handing each frame to a writer thread cost two thread switches per frame, which on
        /// a loaded two-core computer delayed heartbeats past the generator's window.</summary>
        public void Write(ReadOnlySpan<byte> bytes)
        {
            if (_broken is { } why) throw new IOException(why);
            if (bytes.Length > _writeBuffer.Length) throw new ArgumentException($"{bytes.Length} bytes exceed the write buffer", nameof(bytes));
            bytes.CopyTo(_writeBuffer);
            try
            {
                _port.Write(_writeBuffer, 0, bytes.Length);
            }
            catch (TimeoutException)
            {
                _broken = $"serial port {_port.PortName} stalled: a write did not finish within {_writeTimeoutMs} ms";
                throw new IOException(_broken);
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or UnauthorizedAccessException)
            {
                _broken = $"serial port {_port.PortName} is gone: {e.Message}";
                throw new IOException(_broken, e);
            }
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
            _broken ??= $"serial port {_port.PortName} closed";
            CloseDetached(_port);
        }
    }
}
