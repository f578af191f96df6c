using CathLab.Dicom.Data;
using CathLab.Dicom.Dictionary;
using CathLab.Dicom.Iods.Rdsr;
using CathLab.Dicom.Network.Association;
using CathLab.Dicom.Network.Services;
using CathLab.Dicom.Network.Services.Mpps;
using CathLab.Dicom.Uids;
using CathLab.FirmwareBridge.Dose;
using CathLab.Workflow.DoseReporting;
using CathLab.Workflow.Patients;
using CathLab.Workflow.ProcedureStep;
using CathLab.Workflow.Worklist;

namespace CathLab.Workflow.Tests;

/// <summary>The MPPS reporter against the toolkit's MPPS SCP (neither Orthanc nor dcmtk receives MPPS) on a free port.</summary>
public sealed class ProcedureStepReporterTests : IAsyncLifetime
{
    private static readonly PerformingStation Station = new("CATHLAB", "LAB1");
    private readonly MppsScp _scp = new();
    private DicomServer? _server;
    private MppsScu _scu = null!;

    public Task InitializeAsync()
    {
        _server = DicomServer.Start(new DicomServerOptions { AeTitle = "RIS" }, _scp);
        _scu = new MppsScu(new DicomPeer("127.0.0.1", _server.Port, "RIS", "CATHLAB"),
            new AssociationOptions { ArtimTimeout = TimeSpan.FromSeconds(10), DimseTimeout = TimeSpan.FromSeconds(30) });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }

    private static IReadOnlyList<PerformedSeries> Series(ExamSample exam, string srUid) =>
    [
        .. PerformedSeries.FromRuns(exam.Runs.Select(r => r.Summary), "Coronary cine", "Cardiac cine 15 fps"),
        new PerformedSeries(DicomUidGenerator.NewUid(), "Dose report", "X-Ray Radiation Dose Report", [new PerformedInstance(RdsrBuilder.SopClassUid, srUid)]),
    ];

    [Fact]
    public async Task Scheduled_exam_is_created_in_progress_once_then_completed_with_series_and_dose()
    {
        var exam = new ExamSample();
        var study = ExamSample.Study;
        var reporter = new ProcedureStepReporter(_scu, Station, ExamSample.Patient, study);
        var protocol = new CodedConcept("CATH-LCA", "99CATHLAB", "Left coronary angiography");

        await reporter.StartAsync(ExamSample.Start.AddMinutes(1), protocol);
        await reporter.StartAsync(ExamSample.Start.AddMinutes(3)); // a later exposure changes nothing
        Assert.Equal(ProcedureStepState.InProgress, reporter.State);
        var created = _scp.Records[reporter.SopInstanceUid!];
        Assert.Equal(MppsStatus.InProgress, created.Status);
        var a = created.Attributes;
        var step = Assert.Single(a.GetSequence(DicomTags.ScheduledStepAttributesSequence).Items);
        Assert.Equal(study.InstanceUid, step.GetString(DicomTags.StudyInstanceUID));
        Assert.Equal("ACC-7", step.GetString(DicomTags.AccessionNumber));
        Assert.Equal("RP-1", step.GetString(DicomTags.RequestedProcedureID));
        Assert.Equal("Coronary angiography", step.GetString(DicomTags.RequestedProcedureDescription));
        Assert.Equal("SPS-1", step.GetString(DicomTags.ScheduledProcedureStepID));
        Assert.Equal(("DOE^JANE", "PID-0042", "19610314", "F"),
            (a.GetString(DicomTags.PatientName), a.GetString(DicomTags.PatientID), a.GetString(DicomTags.PatientBirthDate), a.GetString(DicomTags.PatientSex)));
        Assert.Equal("PPS261124093100", a.GetString(DicomTags.PerformedProcedureStepID));
        Assert.Equal(reporter.PerformedProcedureStepId, a.GetString(DicomTags.PerformedProcedureStepID));
        Assert.Equal(("20261124", "093100"), (a.GetString(DicomTags.PerformedProcedureStepStartDate), a.GetString(DicomTags.PerformedProcedureStepStartTime)));
        Assert.Equal(("XA", "CATHLAB", "LAB1"), (a.GetString(DicomTags.Modality), a.GetString(DicomTags.PerformedStationAETitle), a.GetString(DicomTags.PerformedStationName)));
        Assert.Equal("CATH-LCA", Assert.Single(a.GetSequence(DicomTags.PerformedProtocolCodeSequence).Items).GetString(DicomTags.CodeValue));
        Assert.Empty(a.GetSequence(DicomTags.PerformedSeriesSequence).Items);
        Assert.False(a.Contains(DicomTags.CommentsOnThePerformedProcedureStep));

        var srUid = DicomUidGenerator.NewUid();
        await reporter.CompleteAsync(ExamSample.Start.AddMinutes(40), Series(exam, srUid), exam.Ledger.Exam);
        Assert.Equal(ProcedureStepState.Completed, reporter.State);
        var record = _scp.Records[reporter.SopInstanceUid!];
        Assert.Equal(["N-CREATE", "N-SET COMPLETED"], record.History);
        var done = record.Attributes;
        Assert.Equal(MppsStatus.Completed, record.Status);
        Assert.Equal(("20261124", "101000"), (done.GetString(DicomTags.PerformedProcedureStepEndDate), done.GetString(DicomTags.PerformedProcedureStepEndTime)));
        var series = done.GetSequence(DicomTags.PerformedSeriesSequence).Items;
        Assert.Equal(2, series.Count);
        Assert.Equal(exam.CineSeriesUid, series[0].GetString(DicomTags.SeriesInstanceUID));
        Assert.Equal(exam.Runs.Select(r => r.Summary.SopInstanceUid),
            series[0].GetSequence(DicomTags.ReferencedImageSequence).Items.Select(i => i.GetString(DicomTags.ReferencedSOPInstanceUID)));
        Assert.Empty(series[0].GetSequence(DicomTags.ReferencedNonImageCompositeSOPInstanceSequence).Items);
        Assert.Equal("Cardiac cine 15 fps", series[0].GetString(DicomTags.ProtocolName));
        Assert.Empty(series[1].GetSequence(DicomTags.ReferencedImageSequence).Items);
        var sr = Assert.Single(series[1].GetSequence(DicomTags.ReferencedNonImageCompositeSOPInstanceSequence).Items);
        Assert.Equal((RdsrBuilder.SopClassUid, srUid), (sr.GetString(DicomTags.ReferencedSOPClassUID), sr.GetString(DicomTags.ReferencedSOPInstanceUID)));

        var ledger = exam.Ledger.Exam;
        Assert.Equal(20, done.GetInt(MppsAttributes.TotalTimeOfFluoroscopy)); // 200 pulses at 10 p/s
        Assert.Equal(3, done.GetInt(MppsAttributes.TotalNumberOfExposures));
        Assert.Equal(ledger.DoseAreaProductGyCm2 * 10, done.GetDouble(DicomTags.ImageAndFluoroscopyAreaDoseProduct), 5);
        Assert.Equal(ledger.ReferenceAirKermaMilliGray, done.GetDouble(DicomTags.EntranceDoseInmGy), 5);
        Assert.Equal(7, ledger.ReferenceAirKermaMilliGray, 9); // 200 x 0.02 + 20 x 0.15 mGy

        await Assert.ThrowsAsync<InvalidOperationException>(() => reporter.CompleteAsync(ExamSample.Start.AddMinutes(41), Series(exam, srUid), ledger));
        Assert.Equal(["N-CREATE", "N-SET COMPLETED"], _scp.Records[reporter.SopInstanceUid!].History);
    }

    [Fact]
    public async Task Unscheduled_emergency_exam_is_discontinued_with_its_reason()
    {
        var exam = new ExamSample();
        var patient = EmergencyPatient.At(ExamSample.Start);
        Assert.Equal(("EMERGENCY^20261124-093000", "EMERG-20261124-093000"), (patient.Name, patient.Id));
        Assert.True(EmergencyPatient.Is(patient));
        var study = new Dicom.Iods.Context.StudyInfo(DicomUidGenerator.NewUid(), ExamSample.Start) { Description = "Cardiac catheterisation" };
        var reporter = new ProcedureStepReporter(_scu, Station, patient, study);

        await reporter.StartAsync(ExamSample.Start.AddSeconds(30));
        var a = _scp.Records[reporter.SopInstanceUid!].Attributes;
        var step = Assert.Single(a.GetSequence(DicomTags.ScheduledStepAttributesSequence).Items);
        Assert.Equal(study.InstanceUid, step.GetString(DicomTags.StudyInstanceUID));
        foreach (var empty in new[] { DicomTags.AccessionNumber, DicomTags.RequestedProcedureID, DicomTags.ScheduledProcedureStepID })
        {
            Assert.True(step.Contains(empty));
            Assert.Equal("", step.GetString(empty));
        }
        Assert.Equal(EmergencyPatient.ReconciliationNote, a.GetString(DicomTags.CommentsOnThePerformedProcedureStep));
        Assert.Empty(a.GetSequence(DicomTags.PerformedProtocolCodeSequence).Items);

        await reporter.DiscontinueAsync(ExamSample.Start.AddMinutes(5), DiscontinuationReason.EquipmentFailure,
            PerformedSeries.FromRuns([exam.Runs[0].Summary], "Coronary cine", "Cardiac cine 15 fps"), exam.Ledger.Exam,
            comments: $"{EmergencyPatient.ReconciliationNote} Discontinued: C-arm collision, exam moved to room 2");
        var record = _scp.Records[reporter.SopInstanceUid!];
        Assert.Equal($"{EmergencyPatient.ReconciliationNote} Discontinued: C-arm collision, exam moved to room 2",
            record.Attributes.GetString(DicomTags.CommentsOnThePerformedProcedureStep));
        Assert.Equal(["N-CREATE", "N-SET DISCONTINUED"], record.History);
        Assert.Equal(MppsStatus.Discontinued, record.Status);
        var reason = Assert.Single(record.Attributes.GetSequence(DicomTags.PerformedProcedureStepDiscontinuationReasonCodeSequence).Items);
        Assert.Equal(("110501", "DCM", "Equipment failure"),
            (reason.GetString(DicomTags.CodeValue), reason.GetString(DicomTags.CodingSchemeDesignator), reason.GetString(DicomTags.CodeMeaning)));
        Assert.Equal(ProcedureStepState.Discontinued, reporter.State);
    }

    [Fact]
    public async Task Ending_a_step_that_never_started_or_completing_one_with_nothing_stored_is_refused()
    {
        var reporter = new ProcedureStepReporter(_scu, Station, ExamSample.Patient, ExamSample.Study);
        var never = await Assert.ThrowsAsync<InvalidOperationException>(() => reporter.CompleteAsync(ExamSample.Start, [new PerformedSeries("1.2.3", "", "XA", [])], DoseTotals.Zero));
        Assert.Contains("never started", never.Message, StringComparison.Ordinal);
        Assert.Empty(_scp.Records);

        await reporter.StartAsync(ExamSample.Start);
        var empty = await Assert.ThrowsAsync<ArgumentException>(() => reporter.CompleteAsync(ExamSample.Start.AddMinutes(1), [], DoseTotals.Zero));
        Assert.Contains("discontinue", empty.Message, StringComparison.Ordinal);
        Assert.Equal(ProcedureStepState.InProgress, reporter.State);
        await reporter.DiscontinueAsync(ExamSample.Start.AddMinutes(1), DiscontinuationReason.PatientRefused, [], DoseTotals.Zero);
        Assert.Equal(["N-CREATE", "N-SET DISCONTINUED"], _scp.Records[reporter.SopInstanceUid!].History);
    }

    [Fact]
    public async Task A_name_outside_ascii_is_sent_as_utf8_and_arrives_intact()
    {
        var patient = ExamSample.Patient with { Name = "MÜLLER^SØREN" };
        var reporter = new ProcedureStepReporter(_scu, Station, patient, ExamSample.Study);
        await reporter.StartAsync(ExamSample.Start);
        var a = _scp.Records[reporter.SopInstanceUid!].Attributes;
        Assert.Equal("ISO_IR 192", a.GetString(DicomTags.SpecificCharacterSet));
        Assert.Equal("MÜLLER^SØREN", a.GetString(DicomTags.PatientName));
        Assert.False(MppsAttributes.InProgress(new ProcedureStepStart(ExamSample.Patient, ExamSample.Study, "PPS1", ExamSample.Start), Station)
            .Contains(DicomTags.SpecificCharacterSet));
    }

    [Fact]
    public void Dose_attributes_use_the_radiation_dose_module_units()
    {
        var dose = new DoseTotals(12.5, 3.25, TimeSpan.FromSeconds(61.6), 500, 40, 4);
        var set = MppsAttributes.Final(MppsStatus.Completed, ExamSample.Start, [new PerformedSeries("1.2.3", "", "XA", [])], dose);
        Assert.Equal(62, set.GetInt(MppsAttributes.TotalTimeOfFluoroscopy));
        Assert.Equal(4, set.GetInt(MppsAttributes.TotalNumberOfExposures));
        Assert.Equal("32.5", set.GetString(DicomTags.ImageAndFluoroscopyAreaDoseProduct)); // dGy·cm²
        Assert.Equal("12.5", set.GetString(DicomTags.EntranceDoseInmGy));
        Assert.False(set.Contains(DicomTags.PerformedProcedureStepDiscontinuationReasonCodeSequence));
        Assert.Throws<ArgumentException>(() => MppsAttributes.Final(MppsStatus.InProgress, ExamSample.Start, [], dose));
    }
}
