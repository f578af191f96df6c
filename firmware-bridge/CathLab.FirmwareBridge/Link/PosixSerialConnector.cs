using System.Runtime.InteropServices;

namespace CathLab.FirmwareBridge.Link;

/// <summary>A serial port (or pseudo-terminal) on Linux through its file descriptor: raw 8N1, no flow control. Reads and
/// writes are plain read(2)/write(2) bounded by poll(2) on the calling thread, so the link's own threads do all of the
/// waiting. System.IO.Ports on Linux completes reads and their timeouts through the thread pool (its read timeout is a
/// pool timer), which a starved pool delays past the generator's answer window (issue 23).</summary>
public sealed class PosixSerialConnector(string portName, int baudRate = 115200, TimeSpan? writeTimeout = null) : ISerialConnector
{
    public string PortName { get; } = portName;
    public int BaudRate { get; } = baudRate;
    public TimeSpan WriteTimeout { get; } = writeTimeout ?? SerialPortConnector.DefaultWriteTimeout;

    public string Description => $"{PortName} at {BaudRate} baud 8N1";

    public ISerialConnection Open()
    {
        if (!File.Exists(PortName)) throw new IOException($"serial port {PortName} does not exist");
        int fd = Native.open(PortName, Native.O_RDWR | Native.O_NOCTTY | Native.O_NONBLOCK | Native.O_CLOEXEC);
        if (fd < 0) throw Native.Error($"cannot open {PortName}");
        try
        {
            MakeRaw(fd);
        }
        catch
        {
            Native.close(fd);
            throw;
        }
        return new Connection(fd, PortName, (int)Math.Max(1, WriteTimeout.TotalMilliseconds));
    }

    private void MakeRaw(int fd)
    {
        var termios = new byte[256]; // struct termios is 60 bytes on Linux; room to spare
        if (Native.tcgetattr(fd, termios) != 0) throw Native.Error($"{PortName} is not a terminal");
        Native.cfmakeraw(termios);
        if (Native.cfsetspeed(termios, Native.Speed(BaudRate)) != 0) throw Native.Error($"{PortName}: {BaudRate} baud not supported");
        // c_cflag (the third 32-bit word): 8 data bits, receiver on, modem lines ignored, one stop bit, no parity, no RTS/CTS.
        uint cflag = BitConverter.ToUInt32(termios, 8);
        cflag = (cflag & ~(Native.CSTOPB | Native.PARENB | Native.CRTSCTS | Native.CSIZE)) | Native.CS8 | Native.CREAD | Native.CLOCAL;
        BitConverter.TryWriteBytes(termios.AsSpan(8, 4), cflag);
        if (Native.tcsetattr(fd, Native.TCSANOW, termios) != 0) throw Native.Error($"cannot configure {PortName}");
        Native.tcflush(fd, Native.TCIFLUSH);
    }

    private sealed class Connection(int fd, string name, int writeTimeoutMs) : ISerialConnection
    {
        private readonly byte[] _readBuffer = new byte[512];
        private readonly byte[] _writeBuffer = new byte[4 * 258];
        private volatile string? _broken;
        private int _disposed;

        public int Read(Span<byte> buffer, int timeoutMs)
        {
            if (_broken is { } why) throw new IOException(why);
            var poll = new Native.PollFd { Fd = fd, Events = Native.POLLIN };
            int ready = Native.poll(ref poll, 1, timeoutMs);
            if (ready < 0)
            {
                if (Marshal.GetLastPInvokeError() == Native.EINTR) return 0;
                throw Broken(Native.Error($"poll on {name} failed"));
            }
            if (ready == 0) return 0;
            if ((poll.Revents & Native.POLLIN) == 0 && (poll.Revents & (Native.POLLHUP | Native.POLLERR | Native.POLLNVAL)) != 0)
            {
                throw Broken(new IOException($"serial port {name} is gone (hang-up)"));
            }
            nint n = Native.read(fd, _readBuffer, Math.Min(buffer.Length, _readBuffer.Length));
            if (n > 0)
            {
                _readBuffer.AsSpan(0, (int)n).CopyTo(buffer);
                return (int)n;
            }
            if (n < 0 && Marshal.GetLastPInvokeError() is Native.EAGAIN or Native.EINTR) return 0;
            throw Broken(n == 0 ? new IOException($"serial port {name} closed") : Native.Error($"serial port {name} is gone"));
        }

        /// <summary>Writes every byte on the caller's thread, waiting in poll(2) while the line's buffer is full, for at
        /// most the write timeout in all: a stalled write marks the connection broken.</summary>
        public void Write(ReadOnlySpan<byte> bytes)
        {
            if (_broken is { } why) throw new IOException(why);
            if (bytes.Length > _writeBuffer.Length) throw new ArgumentException($"{bytes.Length} bytes exceed the write buffer", nameof(bytes));
            bytes.CopyTo(_writeBuffer);
            int left = bytes.Length;
            long deadline = Environment.TickCount64 + writeTimeoutMs;
            while (left > 0)
            {
                nint n = Native.write(fd, _writeBuffer, left);
                if (n > 0)
                {
                    left -= (int)n;
                    if (left > 0) Buffer.BlockCopy(_writeBuffer, (int)n, _writeBuffer, 0, left); // the rest goes next
                    continue;
                }
                int errno = Marshal.GetLastPInvokeError();
                if (n < 0 && errno is not (Native.EAGAIN or Native.EINTR)) throw Broken(Native.Error($"serial port {name} is gone"));
                long remaining = deadline - Environment.TickCount64;
                if (remaining <= 0) throw Broken(new IOException($"serial port {name} stalled: a write did not finish within {writeTimeoutMs} ms"));
                var poll = new Native.PollFd { Fd = fd, Events = Native.POLLOUT };
                Native.poll(ref poll, 1, (int)remaining);
            }
        }

        private IOException Broken(IOException e)
        {
            _broken ??= e.Message;
            return e;
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
            _broken ??= $"serial port {name} closed";
            Native.close(fd);
        }
    }

    private static class Native
    {
        public const int O_RDWR = 0x2, O_NOCTTY = 0x100, O_NONBLOCK = 0x800, O_CLOEXEC = 0x80000;
        public const int TCSANOW = 0, TCIFLUSH = 0;
        public const uint CSIZE = 0x30, CS8 = 0x30, CSTOPB = 0x40, CREAD = 0x80, PARENB = 0x100, CLOCAL = 0x800, CRTSCTS = 0x80000000;
        public const short POLLIN = 0x1, POLLOUT = 0x4, POLLERR = 0x8, POLLHUP = 0x10, POLLNVAL = 0x20;
        public const int EINTR = 4, EAGAIN = 11;

        [StructLayout(LayoutKind.Sequential)]
        public struct PollFd
        {
            public int Fd;
            public short Events;
            public short Revents;
        }

        public static uint Speed(int baud) => baud switch
        {
            9600 => 0xD, 19200 => 0xE, 38400 => 0xF, 57600 => 0x1001, 115200 => 0x1002, 230400 => 0x1003,
            460800 => 0x1004, 921600 => 0x1007,
            _ => throw new ArgumentOutOfRangeException(nameof(baud), baud, "baud rate not supported"),
        };

        public static IOException Error(string what) => new($"{what}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");

#pragma warning disable SYSLIB1054 // LibraryImport needs unsafe code, which this project does not allow; these signatures marshal without it
        [DllImport("libc", SetLastError = true)] public static extern int open(string path, int flags);
        [DllImport("libc", SetLastError = true)] public static extern int close(int fd);
        [DllImport("libc", SetLastError = true)] public static extern nint read(int fd, byte[] buffer, nint count);
        [DllImport("libc", SetLastError = true)] public static extern nint write(int fd, byte[] buffer, nint count);
        [DllImport("libc", SetLastError = true)] public static extern int poll(ref PollFd fds, nuint count, int timeoutMs);
        [DllImport("libc", SetLastError = true)] public static extern int tcgetattr(int fd, byte[] termios);
        [DllImport("libc", SetLastError = true)] public static extern int tcsetattr(int fd, int actions, byte[] termios);
        [DllImport("libc", SetLastError = true)] public static extern void cfmakeraw(byte[] termios);
        [DllImport("libc", SetLastError = true)] public static extern int cfsetspeed(byte[] termios, uint speed);
        [DllImport("libc", SetLastError = true)] public static extern int tcflush(int fd, int queue);
#pragma warning restore SYSLIB1054
    }
}
