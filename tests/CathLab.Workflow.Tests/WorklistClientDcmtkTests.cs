using CathLab.Dicom.Network.Association;
using CathLab.Dicom.Network.Services;
using CathLab.Testing;
using CathLab.Workflow.DoseReporting;
using CathLab.Workflow.Patients;
using CathLab.Workflow.ProcedureStep;
using CathLab.Workflow.Worklist;

namespace CathLab.Workflow.Tests;

/// <summary>The worklist client against dcmtk's wlmscpfs serving .wl files written by the test.</summary>
public sealed class WorklistClientDcmtkTests : IDisposable
{
    private static readonly AssociationOptions Options = new() { ArtimTimeout = TimeSpan.FromSeconds(20), DimseTimeout = TimeSpan.FromSeconds(30) };
    private static readonly DateOnly Day = new(2026, 11, 24);
    private readonly TempDirectory _temp = new();
    private readonly PeerProcess _wlmscpfs;
    private readonly int _port = FreePort.Next();

    public WorklistClientDcmtkTests()
    {
        var ae = Directory.CreateDirectory(Path.Combine(_temp.Path, "RIS")).FullName;
        File.WriteAllText(Path.Combine(ae, "lockfile"), "");
        WorklistFiles.Write(ae, new ScheduledStep("a", "DOE^JOHN", "PAT001", "ACC001", "XA", "CATHLAB", "20261124") { BirthDate = "19610314" });
        WorklistFiles.Write(ae, new ScheduledStep("b", "DOE^JANE", "PAT002", "ACC002", "XA", "CATHLAB", "20261125"));
        WorklistFiles.Write(ae, new ScheduledStep("c", "ROE^RICHARD", "PAT003", "ACC003", "XA", "CATHLAB", "20261124"));
        WorklistFiles.Write(ae, new ScheduledStep("d", "POE^EDGAR", "PAT004", "ACC004", "CT", "CTSCAN", "20261124"));
        WorklistFiles.Write(ae, new ScheduledStep("e", "MOE^MAX", "PAT005", "ACC005", "XA", "CATHLAB2", "20261124"));
        _wlmscpfs = new PeerProcess("/usr/bin/wlmscpfs", ["-dfp", _temp.Path, _port.ToString()]);
        _wlmscpfs.WaitForPort(_port);
    }

    public void Dispose()
    {
        _wlmscpfs.Dispose();
        _temp.Dispose();
    }

    private WorklistClient Client(string calledAe = "RIS", int? port = null) => new(new DicomPeer("127.0.0.1", port ?? _port, calledAe, "CATHLAB"), Options);

    private static string[] Ids(WorklistResult r) => [.. r.Items.Select(i => i.PatientId).Order()];

    [Fact]
    public async Task Matches_on_date_modality_and_station_ae()
    {
        var today = await Client().QueryAsync(WorklistMatch.ForStation("CATHLAB", Day));
        Assert.Empty(today.Malformed);
        Assert.Equal(["PAT001", "PAT003"], Ids(today));

        var otherStation = await Client().QueryAsync(WorklistMatch.ForStation("CATHLAB2", Day));
        Assert.Equal(["PAT005"], Ids(otherStation));

        var ct = await Client().QueryAsync(new WorklistMatch { Modality = "CT", From = Day, To = Day });
        Assert.Equal(["PAT004"], Ids(ct));

        var range = await Client().QueryAsync(new WorklistMatch { StationAeTitle = "CATHLAB", From = Day, To = Day.AddDays(1) });
        Assert.Equal(["PAT001", "PAT002", "PAT003"], Ids(range));

        var openEnded = await Client().QueryAsync(new WorklistMatch { StationAeTitle = "CATHLAB", From = Day.AddDays(1) });
        Assert.Equal(["PAT002"], Ids(openEnded));
    }

    [Fact]
    public async Task Matches_on_patient_name_with_wildcards_and_on_patient_id()
    {
        Assert.Equal(["PAT001", "PAT002"], Ids(await Client().QueryAsync(new WorklistMatch { PatientName = "DOE*" })));
        Assert.Equal(["PAT003"], Ids(await Client().QueryAsync(new WorklistMatch { PatientName = "?OE^RICH*" })));
        Assert.Equal(["PAT002"], Ids(await Client().QueryAsync(new WorklistMatch { PatientId = "PAT002" })));
        Assert.Empty((await Client().QueryAsync(new WorklistMatch { PatientId = "NOBODY" })).Items);
    }

    [Fact]
    public async Task An_item_becomes_the_patient_and_study_every_object_carries()
    {
        var result = await Client().QueryAsync(new WorklistMatch { PatientId = "PAT001" });
        var item = Assert.Single(result.Items);
        Assert.Equal("DOE^JOHN", item.PatientName);
        Assert.Equal(new DateOnly(1961, 3, 14), item.PatientBirthDate);
        Assert.Equal("F", item.PatientSex);
        Assert.Equal(new DateTime(2026, 11, 24, 8, 30, 0), item.ScheduledStart);
        Assert.Equal("Left heart catheterisation", item.ScheduledProcedureStepDescription);
        Assert.Equal("XA", item.Modality);
        Assert.Equal("CATHLAB", item.ScheduledStationAeTitle);

        var patient = item.ToPatientInfo();
        Assert.Equal(("DOE^JOHN", "PAT001", "F"), (patient.Name, patient.Id, patient.Sex));
        var started = new DateTime(2026, 11, 24, 8, 41, 0);
        var study = item.ToStudyInfo(started);
        Assert.Equal(item.StudyInstanceUid, study.InstanceUid);
        Assert.Equal(started, study.StartedAt);
        Assert.Equal("ACC001", study.AccessionNumber);
        Assert.Equal("HOUSE^GREGORY", study.ReferringPhysicianName);
        Assert.Equal("RP-ACC001", study.RequestedProcedure!.Id);
        Assert.Equal("Coronary angiography", study.RequestedProcedure.Description);
        Assert.Equal("SPS-ACC001", study.RequestedProcedure.ScheduledProcedureStepId);
    }

    [Fact]
    public async Task A_malformed_item_is_reported_with_its_reason_and_the_good_ones_still_come()
    {
        var ae = Path.Combine(_temp.Path, "RIS");
        WorklistFiles.Write(ae, new ScheduledStep("f", "BAD^DATE", "PAT006", "ACC006", "XA", "CATHLAB", "20261124") { BirthDate = "19601399" });
        WorklistFiles.Write(ae, new ScheduledStep("g", "BAD^UID", "PAT007", "ACC007", "XA", "CATHLAB", "20261124") { StudyUid = "1.2.abc" });

        var result = await Client().QueryAsync(WorklistMatch.ForStation("CATHLAB", Day));
        Assert.Equal(["PAT001", "PAT003"], Ids(result));
        Assert.Equal(2, result.Malformed.Count);
        Assert.Contains(result.Malformed, m => m.Reason.Contains("Birth Date", StringComparison.Ordinal) && m.Reason.Contains("19601399", StringComparison.Ordinal));
        Assert.Contains(result.Malformed, m => m.Reason.Contains("Study Instance UID", StringComparison.Ordinal) && m.Reason.Contains("1.2.abc", StringComparison.Ordinal));
        Assert.All(result.Malformed, m => Assert.StartsWith("BAD^", m.Raw.GetString(Dicom.Dictionary.DicomTags.PatientName), StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_peer_that_is_down_says_try_again_later()
    {
        var nobody = FreePort.Next();
        var error = await Assert.ThrowsAsync<WorklistException>(() => Client(port: nobody).QueryAsync(WorklistMatch.ForStation("CATHLAB", Day)));
        Assert.Equal(WorklistFailure.Unavailable, error.Failure);
        Assert.Contains("try again later", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_called_ae_is_refused_with_a_hint()
    {
        var error = await Assert.ThrowsAsync<WorklistException>(() => Client(calledAe: "NOSUCHAE").QueryAsync(WorklistMatch.ForStation("CATHLAB", Day)));
        Assert.Equal(WorklistFailure.Refused, error.Failure);
        Assert.Contains("AE title", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_matching_keys_are_refused_before_anything_is_sent()
    {
        Assert.Throws<ArgumentException>(() => WorklistIdentifier.For(new WorklistMatch { From = Day, To = Day.AddDays(-1) }));
        Assert.Throws<ArgumentException>(() => WorklistIdentifier.For(new WorklistMatch { PatientName = "A\\B" }));
        Assert.Throws<ArgumentException>(() => WorklistIdentifier.For(new WorklistMatch { StationAeTitle = "A_STATION_TITLE_TOO_LONG" }));
    }
}
