using CathLab.Dicom.Network.Association;
using CathLab.Dicom.Network.Attributes;
using CathLab.Dicom.Network.Services;
using CathLab.Dicom.Network.Services.Mpps;
using CathLab.Dicom.Network.Status;
using CathLab.Dicom.Network.Tests.Support;

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

    internal static AttributeSet InProgress() => new AttributeSet()
        .Set(AttributeTags.Modality, "CS", "XA")
        .Set(AttributeTags.PatientName, "PN", "DOE^JOHN")
        .Set(AttributeTags.PatientId, "LO", "PAT001")
        .Set(AttributeTags.PerformedStationAeTitle, "AE", "CATHLAB")
        .Set(AttributeTags.PerformedProcedureStepStartDate, "DA", "20261124")
        .Set(AttributeTags.PerformedProcedureStepStartTime, "TM", "101500")
        .Set(AttributeTags.PerformedProcedureStepId, "SH", "PPS001")
        .Set(AttributeTags.PerformedProcedureStepStatus, "CS", MppsStatus.InProgress)
        .SetSequence(AttributeTags.ScheduledStepAttributesSequence, new AttributeSet()
            .Set(AttributeTags.StudyInstanceUid, "UI", "1.2.826.0.1.3680043.10.1199.1")
            .Set(AttributeTags.AccessionNumber, "SH", "ACC001")
            .Set(AttributeTags.ScheduledProcedureStepId, "SH", "SPS-ACC001"));

    private static AttributeSet Completed() => new AttributeSet()
        .Set(AttributeTags.PerformedProcedureStepStatus, "CS", MppsStatus.Completed)
        .Set(AttributeTags.PerformedProcedureStepEndDate, "DA", "20261124")
        .Set(AttributeTags.PerformedProcedureStepEndTime, "TM", "104500")
        .SetSequence(AttributeTags.PerformedSeriesSequence, new AttributeSet()
            .Set(AttributeTags.SeriesInstanceUid, "UI", "1.2.826.0.1.3680043.10.1199.1.1")
            .SetSequence(AttributeTags.ReferencedImageSequence, new AttributeSet()
                .Set(AttributeTags.ReferencedSopClassUid, "UI", WellKnownUids.XRayAngiographicImageStorage)
                .Set(AttributeTags.ReferencedSopInstanceUid, "UI", "1.2.3.4.5")));

    [Fact]
    public async Task CreateThenCompleteIsValidatedAndRecorded()
    {
        var uid = SyntheticDicomFile.NewUid();
        Assert.True((await _scu.CreateAsync(uid, InProgress())).IsSuccess);
        Assert.Equal(MppsStatus.InProgress, _scp.Records[uid].Status);

        Assert.True((await _scu.SetAsync(uid, Completed())).IsSuccess);
        var record = _scp.Records[uid];
        Assert.Equal(MppsStatus.Completed, record.Status);
        Assert.Equal("PAT001", record.Attributes.GetString(AttributeTags.PatientId));
        var series = Assert.Single(record.Attributes.GetSequence(AttributeTags.PerformedSeriesSequence));
        Assert.Equal("1.2.3.4.5", Assert.Single(series.GetSequence(AttributeTags.ReferencedImageSequence)).GetString(AttributeTags.ReferencedSopInstanceUid));
        Assert.Equal(["N-CREATE", "N-SET COMPLETED"], record.History);
    }

    [Fact]
    public async Task RefusalsComeBackWithTheirCodeAndClassification()
    {
        var missing = await Assert.ThrowsAsync<DimseFailureException>(() => _scu.CreateAsync(SyntheticDicomFile.NewUid(), InProgress().Remove(AttributeTags.PerformedProcedureStepId)));
        Assert.Equal(0x0120, missing.Status.Code);
        Assert.Equal(FailureKind.Permanent, missing.Kind);
        Assert.Contains("Performed Procedure Step ID", missing.Message);

        var wrongStatus = await Assert.ThrowsAsync<DimseFailureException>(() => _scu.CreateAsync(SyntheticDicomFile.NewUid(), InProgress().Set(AttributeTags.PerformedProcedureStepStatus, "CS", MppsStatus.Completed)));
        Assert.Equal(0x0106, wrongStatus.Status.Code);

        var uid = SyntheticDicomFile.NewUid();
        await _scu.CreateAsync(uid, InProgress());
        Assert.Equal(0x0111, (await Assert.ThrowsAsync<DimseFailureException>(() => _scu.CreateAsync(uid, InProgress()))).Status.Code);
        Assert.Equal(0x0112, (await Assert.ThrowsAsync<DimseFailureException>(() => _scu.SetAsync(SyntheticDicomFile.NewUid(), Completed()))).Status.Code);
        Assert.Equal(0x0121, (await Assert.ThrowsAsync<DimseFailureException>(() => _scu.SetAsync(uid, Completed().Remove(AttributeTags.PerformedSeriesSequence)))).Status.Code);

        await _scu.SetAsync(uid, new AttributeSet()
            .Set(AttributeTags.PerformedProcedureStepStatus, "CS", MppsStatus.Discontinued)
            .Set(AttributeTags.PerformedProcedureStepEndDate, "DA", "20261124")
            .Set(AttributeTags.PerformedProcedureStepEndTime, "TM", "103000"));
        var late = await Assert.ThrowsAsync<DimseFailureException>(() => _scu.SetAsync(uid, Completed()));
        Assert.Equal(0x0110, late.Status.Code);
        Assert.Contains("may no longer be updated", late.Message);
    }
}
