using System.Diagnostics;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using CathLab.Testing;

namespace CathLab.Station.Tests.Workflow;

/// <summary>The hospital's PACS and worklist provider in one: Orthanc with its Modality Worklists plugin, on free
/// 127.0.0.1 ports, storage and worklist folder in a temporary folder. It can be stopped and started again on the same
/// ports and storage, as a PACS that goes down for a while. The station is a known modality, so Orthanc answers its
/// worklist queries and opens the storage commitment report association back to the station's listener.</summary>
internal sealed class WorkflowOrthanc : IDisposable
{
    private const string WorklistPlugin = "/usr/share/orthanc/plugins/libModalityWorklists.so";
    public const string AeTitle = "ORTHANC";
    private readonly string _folder;
    private readonly string _config;
    private readonly StringBuilder _log = new();
    private Process? _process;

    public WorkflowOrthanc(string stationAeTitle, int stationDicomPort)
    {
        _folder = Directory.CreateTempSubdirectory("cathlab-workflow-orthanc-").FullName;
        WorklistFolder = Directory.CreateDirectory(Path.Combine(_folder, "worklists")).FullName;
        HttpPort = FreePort.Next();
        DicomPort = FreePort.Next();
        var config = new Dictionary<string, object>
        {
            ["Name"] = "cathlab-workflow-e2e",
            ["StorageDirectory"] = Directory.CreateDirectory(Path.Combine(_folder, "storage")).FullName,
            ["IndexDirectory"] = Directory.CreateDirectory(Path.Combine(_folder, "index")).FullName,
            ["HttpPort"] = HttpPort,
            ["DicomPort"] = DicomPort,
            ["DicomAet"] = AeTitle,
            ["RemoteAccessAllowed"] = false,
            ["AuthenticationEnabled"] = false,
            ["DicomCheckCalledAet"] = true,
            ["Plugins"] = new[] { WorklistPlugin },
            ["DicomModalities"] = new Dictionary<string, object> { ["station"] = new object[] { stationAeTitle, "127.0.0.1", stationDicomPort } },
            ["DicomAlwaysAllowFind"] = true,
            ["Worklists"] = new Dictionary<string, object> { ["Enable"] = true, ["Database"] = WorklistFolder },
        };
        _config = Path.Combine(_folder, "orthanc.json");
        File.WriteAllText(_config, JsonSerializer.Serialize(config));
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{HttpPort}/"), Timeout = TimeSpan.FromSeconds(60) };
    }

    public int HttpPort { get; }
    public int DicomPort { get; }
    public string WorklistFolder { get; }
    public HttpClient Http { get; }
    public bool Running => _process is { HasExited: false };

    public string Log
    {
        get { lock (_log) return _log.ToString(); }
    }

    public WorkflowOrthanc Start()
    {
        var start = new ProcessStartInfo("/usr/sbin/Orthanc") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(_config);
        var process = Process.Start(start) ?? throw new InvalidOperationException("Orthanc did not start");
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        WaitForPort(HttpPort);
        WaitForPort(DicomPort);
        return this;
    }

    public void Stop()
    {
        if (_process is not { } process) return;
        _process = null;
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
        }
        process.Dispose();
    }

    /// <summary>Orthanc's instance ids (its REST identifiers, not SOP UIDs).</summary>
    public async Task<string[]> InstanceIdsAsync() =>
        [.. (await GetJsonAsync("instances")).EnumerateArray().Select(e => e.GetString()!)];

    public async Task<string[]> StudyIdsAsync() =>
        [.. (await GetJsonAsync("studies")).EnumerateArray().Select(e => e.GetString()!)];

    public Task<JsonElement> GetJsonAsync(string path) => Http.GetFromJsonAsync<JsonElement>(path);

    /// <summary>The instance's tags, simplified (name → value).</summary>
    public Task<JsonElement> TagsAsync(string instanceId) => GetJsonAsync($"instances/{instanceId}/tags?simplify");

    public async Task DownloadAsync(string instanceId, string path)
    {
        await using var file = File.Create(path);
        await using var body = await Http.GetStreamAsync($"instances/{instanceId}/file");
        await body.CopyToAsync(file);
    }

    private void WaitForPort(int port)
    {
        for (var attempt = 0; attempt < 1200; attempt++)
        {
            if (_process is null || _process.HasExited) throw new InvalidOperationException($"Orthanc exited early: {Log}");
            try
            {
                using var probe = new TcpClient();
                probe.Connect("127.0.0.1", port);
                return;
            }
            catch (SocketException)
            {
                Thread.Sleep(50);
            }
        }
        throw new InvalidOperationException($"Orthanc never listened on {port}: {Log}");
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_log) _log.AppendLine(line);
    }

    public void Dispose()
    {
        Http.Dispose();
        Stop();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}
