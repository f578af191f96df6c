using CathLab.Dicom.Network.Association;
using CathLab.Dicom.Dictionary;
using CathLab.Dicom.Network.Services;
using CathLab.Dicom.Network.Services.Find;
using CathLab.Dicom.Network.Status;
using CathLab.Dicom.Network.Tests.Support;
using CathLab.Testing;

namespace CathLab.Dicom.Network.Tests;

/// <summary>Our C-FIND SCU against dcmtk's wlmscpfs serving .wl files made by dump2dcm in the test.</summary>
public sealed class WorklistFindTests : IDisposable
{
    private static readonly AssociationOptions Options = new() { ArtimTimeout = TimeSpan.FromSeconds(20), DimseTimeout = TimeSpan.FromSeconds(30) };
    private readonly TempDirectory _temp = new();
    private readonly PeerProcess _wlmscpfs;
    private readonly int _port = FreePort.Next();

    public WorklistFindTests()
    {
        var root = _temp.Sub("worklists");
        var ae = Directory.CreateDirectory(Path.Combine(root, "WLMSCP")).FullName;
        File.WriteAllText(Path.Combine(ae, "lockfile"), "");
        MakeWorklistFile(ae, "a", "DOE^JOHN", "PAT001", "ACC001", "XA", "CATHLAB", "20261124");
        MakeWorklistFile(ae, "b", "ROE^JANE", "PAT002", "ACC002", "XA", "CATHLAB", "20261124");
        MakeWorklistFile(ae, "c", "POE^EDGAR", "PAT003", "ACC003", "CT", "CTSCAN", "20261124");
        _wlmscpfs = new PeerProcess("wlmscpfs", ["-dfp", root, _port.ToString()]);
        _wlmscpfs.WaitForPort(_port);
    }

    [Fact]
    public async Task FindReturnsTheMatchingScheduledStepsAsDataSets()
    {
        var scu = new WorklistFindScu(new DicomPeer("127.0.0.1", _port, "WLMSCP", "CATHLAB"), Options);
        var result = await scu.FindAsync(WorklistQuery.For("CATHLAB", "XA", "20261124"));

        Assert.True(result.FinalStatus.IsSuccess, result.FinalStatus.ToString());
        Assert.Equal(["PAT001", "PAT002"], result.Matches.Select(m => m.GetStringOrDefault(DicomTags.PatientID)).Order());
        var john = result.Matches.Single(m => m.GetStringOrDefault(DicomTags.PatientID) == "PAT001");
        Assert.Equal("DOE^JOHN", john.GetString(DicomTags.PatientName));
        Assert.Equal("ACC001", john.GetString(DicomTags.AccessionNumber));
        var step = Assert.Single(john.GetSequence(DicomTags.ScheduledProcedureStepSequence).Items);
        Assert.Equal("XA", step.GetString(DicomTags.Modality));
        Assert.Equal("SPS-ACC001", step.GetString(DicomTags.ScheduledProcedureStepID));
    }

    [Fact]
    public async Task FindWithNoMatchesSucceedsEmpty()
    {
        var scu = new WorklistFindScu(new DicomPeer("127.0.0.1", _port, "WLMSCP", "CATHLAB"), Options);
        var result = await scu.FindAsync(WorklistQuery.For("NOSTATION", "MR", "19990101"));
        Assert.True(result.FinalStatus.IsSuccess);
        Assert.Empty(result.Matches);
    }

    [Fact]
    public async Task FindOnAnUnknownCalledAeIsRejectedOrFailsClassified()
    {
        var scu = new WorklistFindScu(new DicomPeer("127.0.0.1", _port, "NOSUCHAE", "CATHLAB"), Options);
        var error = await Assert.ThrowsAnyAsync<DicomNetworkException>(() => scu.FindAsync(WorklistQuery.For("CATHLAB", "XA", null)));
        Assert.Equal(FailureKind.Permanent, error.Kind);
    }

    private void MakeWorklistFile(string directory, string name, string patient, string patientId, string accession, string modality, string station, string date)
    {
        var dump = _temp.File(name + ".dump");
        File.WriteAllText(dump, $"""
            (0008,0005) CS [ISO_IR 100]
            (0008,0050) SH [{accession}]
            (0010,0010) PN [{patient}]
            (0010,0020) LO [{patientId}]
            (0010,0030) DA [19600101]
            (0010,0040) CS [M]
            (0020,000d) UI [1.2.826.0.1.3680043.10.1199.{patientId.Length}{name[0] - 'a'}]
            (0032,1060) LO [Coronary angiography]
            (0040,0100) SQ
            (fffe,e000) -
            (0008,0060) CS [{modality}]
            (0040,0001) AE [{station}]
            (0040,0002) DA [{date}]
            (0040,0003) TM [083000]
            (0040,0006) PN [HEART^DOC]
            (0040,0007) LO [Left heart catheterisation]
            (0040,0009) SH [SPS-{accession}]
            (fffe,e00d) -
            (fffe,e0dd) -
            (0040,1001) SH [RP-{accession}]
            """);
        var (code, output) = PeerProcess.Run("dump2dcm", dump, Path.Combine(directory, name + ".wl"));
        Assert.True(code == 0, output);
    }

    public void Dispose()
    {
        _wlmscpfs.Dispose();
        _temp.Dispose();
    }
}
