using System.Text.Json;
using CathLab.Dicom.Network.Tests.Support;

namespace CathLab.Publishing.Tests.Support;

/// <summary>Orthanc on free 127.0.0.1 ports with its storage in a temp folder; it can be stopped and started again on the
/// same ports and storage, as a PACS that goes down for a while. DicomModalities names the station so Orthanc can open
/// the storage commitment report association back to it.</summary>
public sealed class RestartableOrthanc : IDisposable
{
    public const string AeTitle = "ORTHANC";
    private readonly TempDirectory _temp = new();
    private readonly string _config;
    private PeerProcess? _process;

    public RestartableOrthanc(string stationAeTitle, int stationPort)
    {
        HttpPort = FreePort.Next();
        DicomPort = FreePort.Next();
        var config = new Dictionary<string, object>
        {
            ["Name"] = "cathlab-outbox-test",
            ["StorageDirectory"] = _temp.Sub("storage"),
            ["IndexDirectory"] = _temp.Sub("index"),
            ["HttpPort"] = HttpPort,
            ["DicomPort"] = DicomPort,
            ["DicomAet"] = AeTitle,
            ["RemoteAccessAllowed"] = false,
            ["AuthenticationEnabled"] = false,
            ["DicomCheckCalledAet"] = true,
            ["Plugins"] = Array.Empty<string>(),
            ["DicomModalities"] = new Dictionary<string, object> { ["station"] = new object[] { stationAeTitle, "127.0.0.1", stationPort } },
        };
        _config = _temp.File("orthanc.json");
        File.WriteAllText(_config, JsonSerializer.Serialize(config));
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{HttpPort}/"), Timeout = TimeSpan.FromSeconds(30) };
    }

    public int HttpPort { get; }
    public int DicomPort { get; }
    public HttpClient Http { get; }
    public string Log => _process?.Output ?? "";

    public PacsDestination Destination(string name = "orthanc") => new(name, AeTitle, "127.0.0.1", DicomPort);

    public RestartableOrthanc Start()
    {
        _process = new PeerProcess("/usr/sbin/Orthanc", [_config]);
        _process.WaitForPort(HttpPort, TimeSpan.FromSeconds(60));
        _process.WaitForPort(DicomPort, TimeSpan.FromSeconds(60));
        return this;
    }

    public void Stop()
    {
        _process?.Dispose();
        _process = null;
    }

    /// <summary>The SOP instance UIDs Orthanc holds, through its REST API.</summary>
    public async Task<IReadOnlyList<string>> InstanceUidsAsync()
    {
        var uids = new List<string>();
        foreach (var id in (await GetJsonAsync("instances")).EnumerateArray())
        {
            uids.Add((await GetJsonAsync($"instances/{id.GetString()}/simplified-tags")).GetProperty("SOPInstanceUID").GetString()!);
        }
        return uids;
    }

    private async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await Http.GetAsync(path);
        response.EnsureSuccessStatusCode();
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.Clone();
    }

    public void Dispose()
    {
        Http.Dispose();
        Stop();
        _temp.Dispose();
    }
}
