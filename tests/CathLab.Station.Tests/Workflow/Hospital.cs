using CathLab.Dicom.Network.Association;
using CathLab.Dicom.Network.Services.Mpps;
using CathLab.Station.Control;
using CathLab.Station.Tests.Hil;
using CathLab.Testing;

namespace CathLab.Station.Tests.Workflow;

/// <summary>The hospital around the station: Orthanc as PACS and worklist provider (one scheduled XA step for this
/// station), the toolkit's MPPS SCP as the RIS's MPPS receiver, the real simulator process; and the station itself,
/// configured as a site would configure it, talking to all of them. Everything on 127.0.0.1 free ports, stopped on dispose.</summary>
internal sealed class Hospital : IAsyncDisposable
{
    public const string StationAeTitle = "CATHLAB";
    private const string RisAeTitle = "RIS";

    private Hospital(ScheduledProcedure scheduled, OrthancPeer orthanc, DicomServer ris, int stationDicomPort)
    {
        Scheduled = scheduled;
        Orthanc = orthanc;
        Ris = ris;
        StationDicomPort = stationDicomPort;
    }

    public ScheduledProcedure Scheduled { get; }
    public OrthancPeer Orthanc { get; }
    public MppsScp Mpps { get; } = new();
    public DicomServer Ris { get; private set; }
    public int StationDicomPort { get; }
    public SimulatorProcess Simulator { get; private set; } = null!;
    public StationUnderTest Station => _station ?? throw new InvalidOperationException("this hospital's station runs as a process of its own");
    private StationUnderTest? _station;

    /// <summary>Starts every peer and, unless <paramref name="withStation"/> is false (a test that runs the station as
    /// a process of its own), the station in this process.</summary>
    public static async Task<Hospital> StartAsync(string tag, bool withStation = true)
    {
        int stationDicomPort = FreePort.Next();
        var orthanc = new OrthancPeer(StationAeTitle, stationDicomPort, worklists: true);
        var scheduled = ScheduledProcedure.ForToday(tag, StationAeTitle);
        scheduled.WriteTo(orthanc.WorklistFolder);
        orthanc.Start();
        var hospital = new Hospital(scheduled, orthanc, null!, stationDicomPort);
        hospital.Ris = DicomServer.Start(new DicomServerOptions { AeTitle = RisAeTitle }, hospital.Mpps);
        hospital.Simulator = await SimulatorProcess.StartAsync("--mode", "512");
        if (withStation) hospital._station = await StationUnderTest.StartAsync(hospital.Simulator, hospital.StationArguments);
        return hospital;
    }

    /// <summary>The site configuration: PACS with storage commitment, worklist, MPPS, and the station's report listener.</summary>
    public string[] StationArguments =>
    [
        $"--Station:AeTitle={StationAeTitle}",
        $"--Station:DicomPort={StationDicomPort}",
        $"--Station:Pacs:0:AeTitle={OrthancPeer.AeTitle}",
        "--Station:Pacs:0:Host=127.0.0.1",
        $"--Station:Pacs:0:Port={Orthanc.DicomPort}",
        "--Station:Pacs:0:StorageCommitment=true",
        // A PACS killed between N-ACTION and its report never answers; the tests wait minutes, not the default ten.
        "--Station:CommitmentTimeoutSeconds=20",
        $"--Station:Worklist:AeTitle={OrthancPeer.AeTitle}",
        "--Station:Worklist:Host=127.0.0.1",
        $"--Station:Worklist:Port={Orthanc.DicomPort}",
        $"--Station:Mpps:AeTitle={RisAeTitle}",
        "--Station:Mpps:Host=127.0.0.1",
        $"--Station:Mpps:Port={Ris.Port}",
    ];

    public IStationControl Control => Station.Control;

    /// <summary>Everything a failed assertion needs to be understood: the outbox as the station sees it, Orthanc's log tail.</summary>
    public string Describe()
    {
        var items = string.Join("\n", Control.Outbox.Select(i => $"  #{i.Id} {i.SopInstanceUid} {i.State} attempts={i.Attempts} {i.LastError}"));
        var log = Orthanc.Log;
        return $"outbox:\n{items}\nOrthanc log (tail):\n{log[Math.Max(0, log.Length - 3000)..]}";
    }

    public async ValueTask DisposeAsync()
    {
        if (_station is not null) await _station.DisposeAsync();
        Simulator?.Dispose();
        if (Ris is not null) await Ris.DisposeAsync();
        Orthanc.Dispose();
    }
}
