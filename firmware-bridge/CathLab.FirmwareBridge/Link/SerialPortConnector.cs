using System.IO.Ports;

namespace CathLab.FirmwareBridge.Link;

/// <summary>A real serial port (or pseudo-terminal) through System.IO.Ports: 8N1, no flow control.</summary>
public sealed class SerialPortConnector(string portName, int baudRate = 115200) : ISerialConnector
{
    public string PortName { get; } = portName;
    public int BaudRate { get; } = baudRate;

    public string Description => $"{PortName} at {BaudRate} baud 8N1";

    public ISerialConnection Open()
    {
        if (!File.Exists(PortName) && !OperatingSystem.IsWindows())
        {
            throw new IOException($"serial port {PortName} does not exist");
        }
        var port = new SerialPort(PortName, BaudRate, Parity.None, 8, StopBits.One)
        {
            Handshake = Handshake.None,
            ReadTimeout = 20,
            WriteTimeout = 1000,
            DtrEnable = false,
            RtsEnable = false,
        };
        try
        {
            port.Open();
            port.DiscardInBuffer();
            return new SerialPortConnection(port);
        }
        catch
        {
            port.Dispose();
            throw;
        }
    }

    private sealed class SerialPortConnection(SerialPort port) : ISerialConnection
    {
        private readonly byte[] _readBuffer = new byte[512];
        private readonly byte[] _writeBuffer = new byte[4 * 258];
        private int _readTimeout = 20;

        public int Read(Span<byte> buffer, int timeoutMs)
        {
            if (timeoutMs != _readTimeout)
            {
                port.ReadTimeout = timeoutMs;
                _readTimeout = timeoutMs;
            }
            try
            {
                int n = port.Read(_readBuffer, 0, Math.Min(buffer.Length, _readBuffer.Length));
                if (n == 0)
                {
                    throw new IOException($"serial port {port.PortName} closed");
                }
                _readBuffer.AsSpan(0, n).CopyTo(buffer);
                return n;
            }
            catch (TimeoutException)
            {
                return 0;
            }
            catch (InvalidOperationException e)
            {
                throw new IOException($"serial port {port.PortName} is gone", e);
            }
        }

        public void Write(ReadOnlySpan<byte> bytes)
        {
            try
            {
                bytes.CopyTo(_writeBuffer);
                port.Write(_writeBuffer, 0, bytes.Length);
            }
            catch (Exception e) when (e is TimeoutException or InvalidOperationException)
            {
                throw new IOException($"serial port {port.PortName} is gone", e);
            }
        }

        public void Dispose()
        {
            try { port.Close(); } catch (IOException) { }
            port.Dispose();
        }
    }
}
