using CathLab.Station.Control;
using CathLab.Station.Hosting;
using CathLab.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace CathLab.Station.Tests.Hil;

/// <summary>The whole station service, in this process, configured by command-line arguments as an operator would,
/// against a running <see cref="SimulatorProcess"/>; its archive, spool and audit trail in a temporary folder.</summary>
internal sealed class StationUnderTest : IAsyncDisposable
{
    private StationStartup _startup;
    private readonly string[] _arguments;

    private StationUnderTest(StationStartup startup, string[] arguments, string folder, int grpcPort, int webPort)
    {
        _startup = startup;
        _arguments = arguments;
        Folder = folder;
        GrpcPort = grpcPort;
        WebPort = webPort;
    }

    public string Folder { get; }
    public int GrpcPort { get; }
    public int WebPort { get; }
    public string ArchiveFolder => Path.Combine(Folder, "archive");
    public string SpoolFolder => Path.Combine(Folder, "spool");
    public string CalibrationFolder => Path.Combine(Folder, "calibration");
    public IServiceProvider Services => _startup.Services;
    public IStationControl Control => Services.GetRequiredService<IStationControl>();

    public static async Task<StationUnderTest> StartAsync(SimulatorProcess sim, params string[] extra)
    {
        string folder = Directory.CreateTempSubdirectory("cathlab-station-").FullName;
        for (int attempt = 1; ; attempt++)
        {
            // A port free a moment ago may be taken by a test of another assembly running beside this one: pick again.
            int grpc = FreePort.Next(), web = FreePort.Next();
            string[] arguments = [.. Arguments(sim, folder, grpc, web), .. extra];
            var startup = Prepare(arguments);
            try
            {
                await startup.StartAsync();
            }
            catch (IOException e) when (attempt < 3 && e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
            {
                await startup.DisposeAsync();
                continue;
            }
            return await ConnectedAsync(new StationUnderTest(startup, arguments, folder, grpc, web));
        }
    }

    /// <summary>Stops the station as a restart would (the host shut down, every connection closed) and starts it again
    /// on the same ports, folders and configuration; returns once it is connected to the simulator again.</summary>
    public async Task RestartAsync()
    {
        await _startup.StopAsync();
        await _startup.DisposeAsync();
        for (int attempt = 1; ; attempt++)
        {
            var startup = Prepare(_arguments);
            try
            {
                await startup.StartAsync();
                _startup = startup;
                break;
            }
            catch (IOException e) when (attempt < 20 && e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
            {
                // the old listeners' sockets may linger a moment
                await startup.DisposeAsync();
                await Task.Delay(250);
            }
        }
        await ConnectedAsync(this);
    }

    private static StationStartup Prepare(string[] arguments)
    {
        var error = new StringWriter();
        return StationStartup.Prepare(arguments, error) ?? throw new InvalidOperationException(error.ToString());
    }

    private static async Task<StationUnderTest> ConnectedAsync(StationUnderTest station)
    {
        for (int i = 0; i < 300 && !station.Control.Status.GeneratorConnected; i++) await Task.Delay(50);
        if (!station.Control.Status.GeneratorConnected) throw new InvalidOperationException("the station did not connect to the simulated generator");
        var source = (Acquisition.Sources.FrameLinkSource)station.Services.GetRequiredService<Acquisition.Sources.IFrameSource>();
        for (int i = 0; i < 300 && !source.Connected; i++) await Task.Delay(50);
        if (!source.Connected) throw new InvalidOperationException("the station did not connect to the simulated detector's frame link");
        // The offset refresh at start reads dark frames over the frame link; the tests begin once it is done.
        var calibration = station.Services.GetRequiredService<Acquisition.Calibration.CalibrationState>();
        for (int i = 0; i < 300 && calibration.OffsetAt is null; i++) await Task.Delay(50);
        if (calibration.OffsetAt is null) throw new InvalidOperationException("the station did not refresh its detector offset at start");
        return station;
    }

    /// <summary>The command-line configuration a test station gets: the simulator's pty and frame link, its own ports and
    /// folders, and link timings widened for a shared, loaded test machine. In-process and child-process stations share it.</summary>
    public static string[] Arguments(SimulatorProcess sim, string folder, int grpcPort, int webPort) =>
    [
        $"--Station:Generator:SerialPort={sim.Pty.StationEnd}",
        $"--Station:Detector:Port={sim.FramePort}",
        $"--Station:Detector:Size={sim.Side}",
        $"--Station:ListenUrl=http://127.0.0.1:{grpcPort}",
        $"--Station:WebUrl=http://127.0.0.1:{webPort}",
        $"--Station:Archive:Folder={Path.Combine(folder, "archive")}",
        $"--Station:Archive:SpoolFolder={Path.Combine(folder, "spool")}",
        $"--Station:AuditPath={Path.Combine(folder, "audit.jsonl")}",
        $"--Station:DiscussionFolder={Path.Combine(folder, "discussions")}",
        $"--Station:Invitations:JournalPath={Path.Combine(folder, "invitations.db")}",
        $"--Station:Calibration:Folder={Path.Combine(folder, "calibration")}",
        "--Logging:LogLevel:Default=Warning",
        // The generator may answer late on a loaded machine; the simulator's heartbeat window is widened to match.
        "--Station:Generator:AnswerTimeoutMs=100",
        "--Station:Generator:MaxRetries=8",
        "--Station:RecorderPulseReportWaitMs=2000",
    ];

    /// <summary>Holds the pedal for <paramref name="time"/> with <paramref name="protocol"/>, then releases it.</summary>
    /// <remarks>Waits first for the generator link: on a loaded test machine a late answer can drop the link between
    /// runs, and it comes back by itself while idle; the tests that use this are about the runs, not the link.</remarks>
    public async Task<RunView> ExposeAsync(string protocol, TimeSpan time)
    {
        for (int i = 0; i < 300 && !Control.Status.GeneratorConnected; i++) await Task.Delay(50);
        await Control.PedalDownAsync(protocol, CancellationToken.None);
        await Task.Delay(time);
        return await Control.PedalUpAsync(CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        await _startup.StopAsync();
        await _startup.DisposeAsync();
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }
}
