using CathLab.Dicom.Network.Association;
using CathLab.Dicom.Network.Services;
using CathLab.Testing;
using CathLab.Workflow.DoseReporting;
using CathLab.Workflow.Patients;
using CathLab.Workflow.ProcedureStep;
using CathLab.Workflow.Worklist;

namespace CathLab.Workflow.Tests;

/// <summary>The worklist client against Orthanc with its Modality Worklists plugin serving a folder of .wl files.</summary>
public sealed class WorklistClientOrthancTests : IDisposable
{
    // The station is a known modality, so Orthanc lets it query (unknown callers' C-FIND is refused).
    private readonly OrthancPeer _orthanc = new("CATHLAB", FreePort.Next(), worklists: true);
    private readonly int _dicomPort;

    public WorklistClientOrthancTests()
    {
        var worklists = _orthanc.WorklistFolder;
        WorklistFiles.Write(worklists, new ScheduledStep("a", "DOE^JOHN", "PAT001", "ACC001", "XA", "CATHLAB", "20261124"));
        WorklistFiles.Write(worklists, new ScheduledStep("b", "POE^EDGAR", "PAT004", "ACC004", "CT", "CTSCAN", "20261124"));
        WorklistFiles.Write(worklists, new ScheduledStep("c", "DOE^JANE", "PAT002", "ACC002", "XA", "CATHLAB", "20261125"));
        _orthanc.Start();
        _dicomPort = _orthanc.DicomPort;
    }

    public void Dispose() => _orthanc.Dispose();

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
            throw new InvalidOperationException($"{e.Message}\nOrthanc log:\n{_orthanc.Log}", e);
        }

        Assert.True(result.Malformed.Count == 0, string.Join("; ", result.Malformed.Select(m => m.Reason)) + _orthanc.Log);
        var item = Assert.Single(result.Items);
        Assert.Equal(("DOE^JOHN", "PAT001", "ACC001"), (item.PatientName, item.PatientId, item.AccessionNumber));
        Assert.Equal("SPS-ACC001", item.ToStudyInfo(DateTime.Now).RequestedProcedure!.ScheduledProcedureStepId);
    }
}
