using System.Text.Json;
using CathLab.Capture.Tests.Recording;
using CathLab.Capture.Workflow;
using CathLab.Dicom.Network.Association;
using CathLab.Dicom.Network.Services;
using CathLab.Testing;

namespace CathLab.Capture.Tests.Workflow;

/// <summary>The worklist client against Orthanc with its Modality Worklists plugin serving a folder of .wl files.</summary>
public sealed class WorklistClientOrthancTests : IDisposable
{
    private const string Plugin = "/usr/share/orthanc/plugins/libModalityWorklists.so";
    private readonly TempFolder _temp = new();
    private readonly PeerProcess _orthanc;
    private readonly int _dicomPort = FreePort.Next();

    public WorklistClientOrthancTests()
    {
        var worklists = Directory.CreateDirectory(Path.Combine(_temp.Path, "worklists")).FullName;
        WorklistFiles.Write(worklists, new ScheduledStep("a", "DOE^JOHN", "PAT001", "ACC001", "XA", "CATHLAB", "20261124"));
        WorklistFiles.Write(worklists, new ScheduledStep("b", "POE^EDGAR", "PAT004", "ACC004", "CT", "CTSCAN", "20261124"));
        WorklistFiles.Write(worklists, new ScheduledStep("c", "DOE^JANE", "PAT002", "ACC002", "XA", "CATHLAB", "20261125"));
        var httpPort = FreePort.Next();
        var config = new Dictionary<string, object>
        {
            ["Name"] = "cathlab-workflow-test",
            ["StorageDirectory"] = Directory.CreateDirectory(Path.Combine(_temp.Path, "storage")).FullName,
            ["IndexDirectory"] = Directory.CreateDirectory(Path.Combine(_temp.Path, "index")).FullName,
            ["HttpPort"] = httpPort,
            ["DicomPort"] = _dicomPort,
            ["DicomAet"] = "ORTHANC",
            ["RemoteAccessAllowed"] = false,
            ["AuthenticationEnabled"] = false,
            ["Plugins"] = new[] { Plugin },
            // The station is a known modality, so Orthanc lets it query (unknown callers' C-FIND is refused).
            ["DicomModalities"] = new Dictionary<string, object> { ["station"] = new object[] { "CATHLAB", "127.0.0.1", FreePort.Next() } },
            ["DicomAlwaysAllowFind"] = true,
            ["Worklists"] = new Dictionary<string, object> { ["Enable"] = true, ["Database"] = worklists },
        };
        var path = Path.Combine(_temp.Path, "orthanc.json");
        File.WriteAllText(path, JsonSerializer.Serialize(config));
        _orthanc = new PeerProcess("/usr/sbin/Orthanc", path);
        _orthanc.WaitForPort(_dicomPort);
    }

    public void Dispose()
    {
        _orthanc.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public async Task Orthanc_returns_the_stations_steps_of_the_day()
    {
        var client = new WorklistClient(new DicomPeer("127.0.0.1", _dicomPort, "ORTHANC", "CATHLAB"),
            new AssociationOptions { ArtimTimeout = TimeSpan.FromSeconds(20), DimseTimeout = TimeSpan.FromSeconds(30) });
        WorklistResult result;
        try
        {
            result = await client.QueryAsync(WorklistMatch.ForStation("CATHLAB", new DateOnly(2026, 11, 24)));
        }
        catch (WorklistException e)
        {
            throw new InvalidOperationException($"{e.Message}\nOrthanc log:\n{_orthanc.Output}", e);
        }

        Assert.True(result.Malformed.Count == 0, string.Join("; ", result.Malformed.Select(m => m.Reason)) + _orthanc.Output);
        var item = Assert.Single(result.Items);
        Assert.Equal(("DOE^JOHN", "PAT001", "ACC001"), (item.PatientName, item.PatientId, item.AccessionNumber));
        Assert.Equal("SPS-ACC001", item.ToStudyInfo(DateTime.Now).RequestedProcedure!.ScheduledProcedureStepId);
    }
}
