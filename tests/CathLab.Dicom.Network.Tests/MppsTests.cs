using CathLab.Dicom.Data;
using CathLab.Dicom.Dictionary;
using CathLab.Dicom.Network.Association;
using CathLab.Dicom.Network.Services;
using CathLab.Dicom.Network.Services.Mpps;
using CathLab.Dicom.Network.Status;
using CathLab.Dicom.Network.Tests.Support;
using CathLab.Testing;

namespace CathLab.Dicom.Network.Tests;

/// <summary>Our MPPS SCU against our MPPS SCP (neither Orthanc nor dcmtk offers an MPPS SCP), happy and refused paths.</summary>
public sealed class MppsTests : IAsyncLifetime
{
    private static readonly AssociationOptions Options = new() { ArtimTimeout = TimeSpan.FromSeconds(10), DimseTimeout = TimeSpan.FromSeconds(30) };
    private readonly MppsScp _scp = new();
    private DicomServer? _server;
    private MppsScu _scu = null!;

    public Task InitializeAsync()
    {
        _server = DicomServer.Start(new DicomServerOptions { AeTitle = "RIS" }, _scp);
        _scu = new MppsScu(new DicomPeer("127.0.0.1", _server.Port, "RIS", "CATHLAB"), Options);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    internal static DicomDataSet InProgress()
    {
        var set = new DicomDataSet()
            .SetString(DicomTags.Modality, "XA")
            .SetString(DicomTags.PatientName, "DOE^JOHN")
            .SetString(DicomTags.PatientID, "PAT001")
            .SetString(DicomTags.PerformedStationAETitle, "CATHLAB")
            .SetString(DicomTags.PerformedProcedureStepStartDate, "20261124")
            .SetString(DicomTags.PerformedProcedureStepStartTime, "101500")
            .SetString(DicomTags.PerformedProcedureStepID, "PPS001")
            .SetString(DicomTags.PerformedProcedureStepStatus, MppsStatus.InProgress);
        set.SetSequence(DicomTags.ScheduledStepAttributesSequence, new DicomDataSet()
            .SetString(DicomTags.StudyInstanceUID, "1.2.826.0.1.3680043.10.1199.1")
            .SetString(DicomTags.AccessionNumber, "ACC001")
            .SetString(DicomTags.ScheduledProcedureStepID, "SPS-ACC001"));
        return set;
    }

    private static DicomDataSet Completed()
    {
        var image = new DicomDataSet()
            .SetString(DicomTags.ReferencedSOPClassUID, WellKnownUids.XRayAngiographicImageStorage)
            .SetString(DicomTags.ReferencedSOPInstanceUID, "1.2.3.4.5");
        var series = new DicomDataSet().SetString(DicomTags.SeriesInstanceUID, "1.2.826.0.1.3680043.10.1199.1.1");
        series.SetSequence(DicomTags.ReferencedImageSequence, image);
        var set = new DicomDataSet()
            .SetString(DicomTags.PerformedProcedureStepStatus, MppsStatus.Completed)
            .SetString(DicomTags.PerformedProcedureStepEndDate, "20261124")
            .SetString(DicomTags.PerformedProcedureStepEndTime, "104500");
        set.SetSequence(DicomTags.PerformedSeriesSequence, series);
        return set;
    }

    private static DicomDataSet Without(DicomDataSet set, DicomTag tag)
    {
        set.Remove(tag);
        return set;
    }

    [Fact]
    public async Task CreateThenCompleteIsValidatedAndRecorded()
    {
        var uid = SyntheticDicomFile.NewUid();
        Assert.True((await _scu.CreateAsync(uid, InProgress())).IsSuccess);
        Assert.Equal(MppsStatus.InProgress, _scp.Records[uid].Status);

        Assert.True((await _scu.SetAsync(uid, Completed())).IsSuccess);
        var record = _scp.Records[uid];
        Assert.Equal(MppsStatus.Completed, record.Status);
        Assert.Equal("PAT001", record.Attributes.GetString(DicomTags.PatientID));
        var series = Assert.Single(record.Attributes.GetSequence(DicomTags.PerformedSeriesSequence).Items);
        Assert.Equal("1.2.3.4.5", Assert.Single(series.GetSequence(DicomTags.ReferencedImageSequence).Items).GetString(DicomTags.ReferencedSOPInstanceUID));
        Assert.Equal(["N-CREATE", "N-SET COMPLETED"], record.History);
    }

    [Fact]
    public async Task RefusalsComeBackWithTheirCodeAndClassification()
    {
        var missing = await Assert.ThrowsAsync<DimseFailureException>(() => _scu.CreateAsync(SyntheticDicomFile.NewUid(), Without(InProgress(), DicomTags.PerformedProcedureStepID)));
        Assert.Equal(0x0120, missing.Status.Code);
        Assert.Equal(FailureKind.Permanent, missing.Kind);
        Assert.Contains("Performed Procedure Step ID", missing.Message);

        var wrongStatus = await Assert.ThrowsAsync<DimseFailureException>(() => _scu.CreateAsync(SyntheticDicomFile.NewUid(), InProgress().SetString(DicomTags.PerformedProcedureStepStatus, MppsStatus.Completed)));
        Assert.Equal(0x0106, wrongStatus.Status.Code);

        var uid = SyntheticDicomFile.NewUid();
        await _scu.CreateAsync(uid, InProgress());
        Assert.Equal(0x0111, (await Assert.ThrowsAsync<DimseFailureException>(() => _scu.CreateAsync(uid, InProgress()))).Status.Code);
        Assert.Equal(0x0112, (await Assert.ThrowsAsync<DimseFailureException>(() => _scu.SetAsync(SyntheticDicomFile.NewUid(), Completed()))).Status.Code);
        Assert.Equal(0x0121, (await Assert.ThrowsAsync<DimseFailureException>(() => _scu.SetAsync(uid, Without(Completed(), DicomTags.PerformedSeriesSequence)))).Status.Code);

        await _scu.SetAsync(uid, new DicomDataSet()
            .SetString(DicomTags.PerformedProcedureStepStatus, MppsStatus.Discontinued)
            .SetString(DicomTags.PerformedProcedureStepEndDate, "20261124")
            .SetString(DicomTags.PerformedProcedureStepEndTime, "103000"));
        var late = await Assert.ThrowsAsync<DimseFailureException>(() => _scu.SetAsync(uid, Completed()));
        Assert.Equal(0x0110, late.Status.Code);
        Assert.Contains("may no longer be updated", late.Message);
    }
}
