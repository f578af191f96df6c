using System.IO.Ports;
using CathLab.FirmwareBridge.Link;
using CathLab.FirmwareBridge.Tests.Support;
using CathLab.Testing;

namespace CathLab.FirmwareBridge.Tests.Hil;

/// <summary>The connections (System.IO.Ports, and the file-descriptor one used on Linux) over a real pty pair whose
/// socat is killed under it.</summary>
[Collection("hil")]
public sealed class SerialPortConnectorHilTests
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    public static TheoryData<string> Connectors() => ["System.IO.Ports", "posix"];

    private static ISerialConnector Connector(string kind, PtyPair pty) => kind == "posix"
        ? new PosixSerialConnector(pty.StationEnd, writeTimeout: SimRig.LoadTolerantWriteTimeout)
        : new SerialPortConnector(pty.StationEnd, writeTimeout: SimRig.LoadTolerantWriteTimeout);

    [Theory]
    [MemberData(nameof(Connectors))]
    public void Bytes_cross_the_line_both_ways(string kind)
    {
        using var pty = new PtyPair();
        using var far = OpenFarEnd(pty);
        using var connection = Connector(kind, pty).Open();
        connection.Write([1, 2, 3]);
        var got = new byte[3];
        int n = 0;
        while (n < 3) n += far.Read(got, n, 3 - n);
        Assert.Equal([1, 2, 3], got);
        far.Write([7, 8], 0, 2);
        var back = new byte[8];
        int m = 0;
        var deadline = DateTime.UtcNow + HangGuard;
        while (m < 2 && DateTime.UtcNow < deadline) m += connection.Read(back.AsSpan(m), 20);
        Assert.Equal([7, 8], back[..2]);
    }

    [Theory]
    [MemberData(nameof(Connectors))]
    public async Task After_a_pull_reads_and_writes_fail_and_closing_returns(string kind)
    {
        using var pty = new PtyPair();
        var far = OpenFarEnd(pty);
        var connection = Connector(kind, pty).Open();
        connection.Write([1]);
        pty.Pull();

        // Reading and writing both notice, one way or the other (an error from the port or a stalled write).
        var failed = Task.Run(() =>
        {
            var buffer = new byte[64];
            int failures = 0;
            for (int i = 0; i < 200 && failures < 4; i++)
            {
                try { connection.Read(buffer, 20); } catch (IOException) { failures++; }
                try { connection.Write([2]); } catch (IOException) { failures++; }
            }
            return failures;
        });
        int failures = await failed.WaitAsync(HangGuard);
        Assert.True(failures >= 4, $"{failures} failures on a pulled line");

        // Dispose lets go of the port without waiting for a close that may never end.
        await Task.Run(connection.Dispose).WaitAsync(HangGuard);
        new Thread(() => far.Dispose()) { IsBackground = true }.Start();

        // The same path works again once the cable is back.
        pty.Restore();
        using var far2 = OpenFarEnd(pty);
        using var again = Connector(kind, pty).Open();
        again.Write([9]);
        Assert.Equal(9, far2.ReadByte());
    }

    private static SerialPort OpenFarEnd(PtyPair pty)
    {
        var port = new SerialPort(pty.GeneratorEnd, 115200) { ReadTimeout = (int)HangGuard.TotalMilliseconds, WriteTimeout = 1000 };
        port.Open();
        return port;
    }
}
