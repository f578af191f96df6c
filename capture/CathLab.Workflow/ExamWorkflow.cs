using CathLab.Dicom.Iods.Context;
using CathLab.Dicom.Network.Association;
using CathLab.Dicom.Network.Services.Mpps;
using CathLab.Dicom.Uids;
using CathLab.FirmwareBridge.Dose;
using CathLab.Workflow.DoseReporting;
using CathLab.Workflow.Patients;
using CathLab.Workflow.ProcedureStep;
using CathLab.Workflow.Worklist;
using Microsoft.Extensions.Logging;

namespace CathLab.Workflow;

/// <summary>An exam's part in the hospital's scheduled workflow: the worklist it may start from, its performed
/// procedure step (N-CREATE at the first exposure, N-SET at the end) and its radiation dose report. A RIS that does not
/// answer never stops an exposure: the step's failures are logged, and the exam goes on.</summary>
public sealed class ExamWorkflow(RisPeers peers, TimeProvider time, ILogger<ExamWorkflow> logger)
{
    private DateTime Now => time.GetLocalNow().DateTime;

    /// <summary>The worklist's entries that match; a provider that is not configured, refuses or does not answer
    /// throws <see cref="WorklistException"/>.</summary>
    public async Task<IReadOnlyList<WorklistItem>> QueryWorklistAsync(WorklistMatch match, CancellationToken cancellationToken)
    {
        var peer = peers.Worklist ?? throw new WorklistException("no worklist provider is configured (Station:Worklist)", WorklistFailure.NotConfigured);
        var result = await new WorklistClient(peer).QueryAsync(match, cancellationToken);
        return result.Items;
    }

    /// <summary>Creates the exam's performed procedure step in the background at its first exposure (once).</summary>
    public void OnExposure(ExamProcedureStep step, string examId, PatientInfo patient, StudyInfo study)
    {
        if (peers.Mpps is not { } mpps) return;
        step.StartOnce(() => new ProcedureStepReporter(new MppsScu(mpps, new AssociationOptions()), peers.Station, patient, study),
            reporter => StartAsync(examId, reporter));
    }

    private async Task StartAsync(string examId, ProcedureStepReporter reporter)
    {
        try
        {
            await reporter.StartAsync(Now);
            logger.LogInformation("exam {Exam}: performed procedure step {Step} IN PROGRESS", examId, reporter.SopInstanceUid);
        }
        catch (Exception e)
        {
            logger.LogError("exam {Exam}: MPPS N-CREATE failed: {Error}", examId, e.Message);
        }
    }

    /// <summary>Writes the exam's X-Ray Radiation Dose SR into <paramref name="spoolFolder"/> (as a .partial file, then
    /// renamed); null when the exam irradiated nobody.</summary>
    public DoseReportFile? WriteDoseReport(string examId, ExamContext exam, IReadOnlyList<RecordedRunIrradiation> runs,
        IReadOnlyList<FluoroSequence> other, DoseTotals ledger, string spoolFolder)
    {
        if (runs.Count + other.Count == 0 && ledger.Pulses == 0) return null;
        string? discrepancy = ExamDoseReport.Discrepancy(runs, other, ledger);
        if (discrepancy is not null) logger.LogWarning("exam {Exam}: {Discrepancy}", examId, discrepancy);
        string uid = DicomUidGenerator.NewUid();
        var report = ExamDoseReport.Build(exam, uid, 1, Now, runs, other, ledger);
        string path = Path.Combine(spoolFolder, uid + ".dcm");
        string partial = path + ".partial";
        ExamDoseReport.Save(report, partial, peers.Station.AeTitle);
        File.Move(partial, path);
        logger.LogInformation("exam {Exam}: dose report with {Events} irradiation event(s) in {Path}", examId, report.Events.Count, path);
        return new DoseReportFile(path, uid, exam.Series.InstanceUid, exam.Series.Description, report.Events.Count, discrepancy);
    }

    /// <summary>Completes the performed procedure step with the exam's series and dose, or discontinues it when the
    /// technician did (with their reason in words) or when nothing was stored.</summary>
    public async Task FinishProcedureStepAsync(ExamProcedureStep step, string examId, PatientInfo patient, IReadOnlyList<PerformedSeries> series,
        DoseTotals dose, bool discontinued, string reason)
    {
        if (step.Reporter is not { } reporter) return;
        await step.Started;
        if (reporter.State != ProcedureStepState.InProgress) return;
        try
        {
            // A step completed without any series is refused by the RIS's rules; an exam that stored nothing was discontinued.
            if (discontinued || series.Count == 0)
                await reporter.DiscontinueAsync(Now, DiscontinuationReason.Unspecified, series, dose, comments: DiscontinuationComments(patient, reason));
            else await reporter.CompleteAsync(Now, series, dose);
            logger.LogInformation("exam {Exam}: performed procedure step {State}", examId, reporter.State);
        }
        catch (Exception e)
        {
            logger.LogError("exam {Exam}: MPPS N-SET ({How}) failed: {Error}", examId, discontinued ? "discontinued" : "completed", e.Message);
        }
    }

    /// <summary>The technician's reason in words, after the emergency note it would otherwise replace; null when neither applies.</summary>
    private static string? DiscontinuationComments(PatientInfo patient, string reason)
    {
        reason = reason.Trim();
        if (reason.Length == 0) return null;
        var said = $"Discontinued: {reason}";
        return EmergencyPatient.Is(patient) ? $"{EmergencyPatient.ReconciliationNote} {said}" : said;
    }
}
