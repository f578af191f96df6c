namespace CathLab.FirmwareBridge.Link;

/// <summary>Picks the serial connector for the platform: file-descriptor I/O on Linux (no thread pool on the path),
/// System.IO.Ports elsewhere.</summary>
public static class SerialConnectors
{
    public static ISerialConnector ForPort(string portName, int baudRate = 115200, TimeSpan? writeTimeout = null) =>
        OperatingSystem.IsLinux()
            ? new PosixSerialConnector(portName, baudRate, writeTimeout)
            : new SerialPortConnector(portName, baudRate, writeTimeout);
}
