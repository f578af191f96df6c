using System.Net;
using System.Net.Sockets;
using CathLab.Station.Hosting;
using CathLab.Testing;

namespace CathLab.Station.Tests;

/// <summary>A bad configuration value stops the station before anything starts, with one clear line per problem.</summary>
public sealed class StationConfigurationTests
{
    [Fact]
    public void Bad_values_are_all_reported_and_nothing_is_started()
    {
        int port = FreePort.Next();
        var error = new StringWriter();
        var startup = StationStartup.Prepare(
        [
            "--Station:Generator:SerialPort=",
            "--Station:Generator:BaudRate=12345",
            "--Station:Detector:Size=700",
            "--Station:AeTitle=A\\B",
            "--Station:Processing:Backend=Quantum",
            $"--Station:ListenUrl=http://127.0.0.1:{port}",
            $"--Station:WebUrl=http://127.0.0.1:{port}",
        ], error);

        Assert.Null(startup);
        string text = error.ToString();
        Assert.Contains("nothing started", text, StringComparison.Ordinal);
        Assert.Contains("Station:Generator:SerialPort is required", text, StringComparison.Ordinal);
        Assert.Contains("Station:Generator:BaudRate 12345", text, StringComparison.Ordinal);
        Assert.Contains("Station:Detector:Size 700", text, StringComparison.Ordinal);
        Assert.Contains("Station:AeTitle", text, StringComparison.Ordinal);
        Assert.Contains("Station:Processing:Backend 'Quantum'", text, StringComparison.Ordinal);
        Assert.Contains("different ports", text, StringComparison.Ordinal);
        using var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start(); // the port the station would have listened on is still free
    }

    [Fact]
    public void Good_values_build_a_station_without_opening_anything_until_it_starts()
    {
        var error = new StringWriter();
        var startup = StationStartup.Prepare(["--Station:Generator:SerialPort=/dev/null-cathlab-test"], error);
        Assert.True(startup is not null, error.ToString());
    }
}
