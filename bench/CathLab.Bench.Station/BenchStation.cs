using System.Globalization;
using CathLab.Acquisition.Distribution;
using CathLab.Acquisition.Frames;
using CathLab.Acquisition.Imaging;
using CathLab.Acquisition.Protocols;
using CathLab.LiveFeed;
using CathLab.Station.Control;
using CathLab.Station.Exam;
using CathLab.Station.Hosting;
using CathLab.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace CathLab.Bench.Station;

/// <summary>The whole station service in this process, configured by command-line arguments as an operator would,
/// against a running <see cref="SimulatorProcess"/>, with a cine protocol at every rate the harness asks for; its archive,
/// spool and audit trail in a temporary folder that goes with it.</summary>
internal sealed class BenchStation : IAsyncDisposable
{
    private readonly StationStartup _startup;

    private BenchStation(StationStartup startup, string folder)
    {
        _startup = startup;
        Folder = folder;
    }

    public string Folder { get; }
    public IStationControl Control => _startup.Services.GetRequiredService<IStationControl>();
    public ProcessingStage Processing => _startup.Services.GetRequiredService<ProcessingStage>();
    public FrameFanout Fanout => _startup.Services.GetRequiredService<FrameFanout>();
    public FramePool Pool => _startup.Services.GetRequiredService<FramePool>();
    public StationRecorder Recorder => _startup.Services.GetRequiredService<StationRecorder>();
    public LiveFeedHub Hub => _startup.Services.GetRequiredService<LiveFeedHub>();

    /// <summary>The name of the cine protocol at <paramref name="rate"/> frames per second that this station offers.</summary>
    public static string CineProtocol(double rate) => $"bench-cine-{rate.ToString(CultureInfo.InvariantCulture)}";

    public static async Task<BenchStation> StartAsync(SimulatorProcess sim, IReadOnlyList<double> rates)
    {
        string folder = Directory.CreateTempSubdirectory("cathlab-bench-station-").FullName;
        string[] args =
        [
            $"--Station:Generator:SerialPort={sim.Pty.StationEnd}",
            $"--Station:Detector:Port={sim.FramePort}",
            $"--Station:Detector:Size={sim.Side}",
            $"--Station:ListenUrl=http://127.0.0.1:{FreePort.Next()}",
            $"--Station:WebUrl=http://127.0.0.1:{FreePort.Next()}",
            $"--Station:Archive:Folder={Path.Combine(folder, "archive")}",
            $"--Station:Archive:SpoolFolder={Path.Combine(folder, "spool")}",
            $"--Station:AuditPath={Path.Combine(folder, "audit.jsonl")}",
            "--Logging:LogLevel:Default=Warning",
            // A shared, loaded machine: the generator may answer late; the simulator's heartbeat window is widened to match.
            "--Station:Generator:AnswerTimeoutMs=100",
            "--Station:Generator:MaxRetries=8",
        ];
        var protocols = new ProtocolSet([.. ProtocolCatalog.Defaults,
            .. rates.Select(r => new AcquisitionProtocol(CineProtocol(r), $"cine, {r} frames/s, recorded while the pedal is held (bench)", RunKind.Cine, [new("cine", r)]))]);
        var error = new StringWriter();
        var startup = StationStartup.Prepare(args, error,
            builder => builder.Host.UseServiceProviderFactory(new LastWordServiceProviderFactory(services => services.AddSingleton(protocols))));
        if (startup is null)
        {
            Directory.Delete(folder, recursive: true);
            throw new InvalidOperationException(error.ToString());
        }
        await startup.StartAsync();
        var station = new BenchStation(startup, folder);
        for (int i = 0; i < 600 && !station.Control.Status.GeneratorConnected; i++) await Task.Delay(50);
        if (!station.Control.Status.GeneratorConnected)
        {
            await station.DisposeAsync();
            throw new InvalidOperationException("the station did not connect to the simulated generator within 30 s");
        }
        return station;
    }

    public async ValueTask DisposeAsync()
    {
        await _startup.StopAsync();
        await _startup.DisposeAsync();
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }
}
