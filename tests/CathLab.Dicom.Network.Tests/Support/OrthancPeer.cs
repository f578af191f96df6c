using System.Text.Json;

namespace CathLab.Dicom.Network.Tests.Support;

/// <summary>Orthanc started on free 127.0.0.1 ports with a JSON configuration written here, storage in a temp dir.</summary>
public sealed class OrthancPeer : IDisposable
{
    public const string AeTitle = "ORTHANC";
    private readonly TempDirectory _temp = new();
    private readonly PeerProcess _process;

    public OrthancPeer(string stationAeTitle, int stationPort)
    {
        HttpPort = FreePort.Next();
        DicomPort = FreePort.Next();
        var config = new Dictionary<string, object>
        {
            ["Name"] = "cathlab-test",
            ["StorageDirectory"] = _temp.Sub("storage"),
            ["IndexDirectory"] = _temp.Sub("index"),
            ["HttpPort"] = HttpPort,
            ["DicomPort"] = DicomPort,
            ["DicomAet"] = AeTitle,
            ["RemoteAccessAllowed"] = false,
            ["AuthenticationEnabled"] = false,
            ["DicomCheckCalledAet"] = true,
            ["Plugins"] = Array.Empty<string>(),
            ["StableAge"] = 1,
            ["DicomModalities"] = new Dictionary<string, object> { ["station"] = new object[] { stationAeTitle, "127.0.0.1", stationPort } },
        };
        var path = _temp.File("orthanc.json");
        File.WriteAllText(path, JsonSerializer.Serialize(config));
        _process = new PeerProcess("/usr/sbin/Orthanc", [path]);
        _process.WaitForPort(HttpPort, TimeSpan.FromSeconds(60));
        _process.WaitForPort(DicomPort, TimeSpan.FromSeconds(60));
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{HttpPort}/"), Timeout = TimeSpan.FromSeconds(30) };
    }

    public int HttpPort { get; }
    public int DicomPort { get; }
    public HttpClient Http { get; }
    public string Log => _process.Output;

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await Http.GetAsync(path);
        response.EnsureSuccessStatusCode();
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.Clone();
    }

    public void Dispose()
    {
        Http.Dispose();
        _process.Dispose();
        _temp.Dispose();
    }
}
