using System.Net.Http.Json;
using System.Text.Json;

namespace CathLab.Testing;

/// <summary>Orthanc (the Debian package) on free 127.0.0.1 DICOM and HTTP ports, storage and index in a temporary
/// folder. The station is a known modality, so Orthanc opens the storage commitment report association back to the
/// station's listener and, with <c>worklists</c>, answers its worklist queries from <see cref="WorklistFolder"/> through
/// the Modality Worklists plugin. It can be stopped (killed) and started again on the same ports and storage, as a PACS
/// that goes down for a while.</summary>
public sealed class OrthancPeer : IDisposable
{
    public const string AeTitle = "ORTHANC";
    private const string Executable = "/usr/sbin/Orthanc";
    private const string WorklistPlugin = "/usr/share/orthanc/plugins/libModalityWorklists.so";
    private const string DicomWebPlugin = "/usr/share/orthanc/plugins/libOrthancDicomWeb.so";
    private readonly string _folder;
    private readonly string _config;
    private readonly string? _worklistFolder;
    private PeerProcess? _process;
    private string _earlierRunsLog = "";

    /// <param name="dicomWeb">Loads the DICOMweb plugin (orthanc-dicomweb): STOW-RS, QIDO-RS and WADO-RS at <see cref="DicomWebRoot"/>.</param>
    public OrthancPeer(string stationAeTitle, int stationDicomPort, bool worklists = false, bool dicomWeb = false)
    {
        if (!File.Exists(Executable)) throw new InvalidOperationException($"{Executable} is missing: run scripts/setup.sh");
        if (worklists && !File.Exists(WorklistPlugin)) throw new InvalidOperationException($"{WorklistPlugin} is missing: run scripts/setup.sh");
        if (dicomWeb && !File.Exists(DicomWebPlugin)) throw new InvalidOperationException($"{DicomWebPlugin} is missing: run scripts/setup.sh");
        _folder = Directory.CreateTempSubdirectory("cathlab-orthanc-").FullName;
        HttpPort = FreePort.Next();
        DicomPort = FreePort.Next();
        var config = new Dictionary<string, object>
        {
            ["Name"] = "cathlab-test",
            ["StorageDirectory"] = Directory.CreateDirectory(Path.Combine(_folder, "storage")).FullName,
            ["IndexDirectory"] = Directory.CreateDirectory(Path.Combine(_folder, "index")).FullName,
            ["HttpPort"] = HttpPort,
            ["DicomPort"] = DicomPort,
            ["DicomAet"] = AeTitle,
            ["RemoteAccessAllowed"] = false,
            ["AuthenticationEnabled"] = false,
            ["DicomCheckCalledAet"] = true,
            ["StableAge"] = 1,
            ["DicomModalities"] = new Dictionary<string, object> { ["station"] = new object[] { stationAeTitle, "127.0.0.1", stationDicomPort } },
            ["Plugins"] = (worklists ? new[] { WorklistPlugin } : []).Concat(dicomWeb ? [DicomWebPlugin] : Array.Empty<string>()).ToArray(),
        };
        if (dicomWeb) config["DicomWeb"] = new Dictionary<string, object> { ["Enable"] = true, ["Root"] = "/dicom-web/" };
        if (worklists)
        {
            _worklistFolder = Directory.CreateDirectory(Path.Combine(_folder, "worklists")).FullName;
            // Orthanc refuses C-FIND from callers it does not allow to find; the worklist plugin answers only those it lets in.
            config["DicomAlwaysAllowFind"] = true;
            config["Worklists"] = new Dictionary<string, object> { ["Enable"] = true, ["Database"] = _worklistFolder };
        }
        _config = Path.Combine(_folder, "orthanc.json");
        File.WriteAllText(_config, JsonSerializer.Serialize(config));
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{HttpPort}/"), Timeout = TimeSpan.FromSeconds(60) };
    }

    public int HttpPort { get; }

    /// <summary>The DICOMweb service's root (with <c>dicomWeb</c>).</summary>
    public Uri DicomWebRoot => new($"http://127.0.0.1:{HttpPort}/dicom-web/");
    public int DicomPort { get; }

    /// <summary>The folder of .wl files the worklist plugin serves; only with <c>worklists</c>.</summary>
    public string WorklistFolder => _worklistFolder ?? throw new InvalidOperationException("this Orthanc was made without worklists");

    public HttpClient Http { get; }
    public bool Running => _process is { HasExited: false };

    /// <summary>Orthanc's output over all its runs, the one now running last.</summary>
    public string Log => _earlierRunsLog + _process?.Output;

    /// <summary>Starts Orthanc and waits until both ports listen.</summary>
    public OrthancPeer Start()
    {
        if (Running) throw new InvalidOperationException("Orthanc is already running");
        _process = new PeerProcess(Executable, [_config]);
        _process.WaitForPort(HttpPort);
        _process.WaitForPort(DicomPort);
        return this;
    }

    /// <summary>Kills Orthanc (no shutdown), as a PACS that goes down; its storage stays for the next <see cref="Start"/>.</summary>
    public void Stop()
    {
        if (_process is not { } process) return;
        _process = null;
        process.Dispose();
        _earlierRunsLog += process.Output;
    }

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await Http.GetAsync(path);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>Orthanc's instance ids (its REST identifiers, not SOP UIDs).</summary>
    public async Task<string[]> InstanceIdsAsync() =>
        [.. (await GetJsonAsync("instances")).EnumerateArray().Select(e => e.GetString()!)];

    public async Task<string[]> StudyIdsAsync() =>
        [.. (await GetJsonAsync("studies")).EnumerateArray().Select(e => e.GetString()!)];

    /// <summary>The instance's tags, simplified (name → value).</summary>
    public Task<JsonElement> TagsAsync(string instanceId) => GetJsonAsync($"instances/{instanceId}/tags?simplify");

    /// <summary>The SOP instance UIDs Orthanc holds.</summary>
    public async Task<IReadOnlyList<string>> InstanceUidsAsync()
    {
        var uids = new List<string>();
        foreach (var id in await InstanceIdsAsync())
        {
            uids.Add((await TagsAsync(id)).GetProperty("SOPInstanceUID").GetString()!);
        }
        return uids;
    }

    /// <summary>Downloads the instance's DICOM file as Orthanc stored it.</summary>
    public async Task DownloadAsync(string instanceId, string path)
    {
        await using var file = File.Create(path);
        await using var body = await Http.GetStreamAsync($"instances/{instanceId}/file");
        await body.CopyToAsync(file);
    }

    public void Dispose()
    {
        Http.Dispose();
        Stop();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // a file still held open; the temporary folder is left behind
        }
    }
}
