using CathLab.Acquisition.Configuration;
using CathLab.Acquisition.Workflow;
using CathLab.Dicom.Iods.Context;
using CathLab.Dicom.Iods.Rdsr;
using CathLab.Dicom.Network.Association;
using CathLab.Dicom.Network.Services;
using CathLab.Dicom.Network.Services.Mpps;
using CathLab.Dicom.Uids;
using CathLab.FirmwareBridge;
using CathLab.Station.Control;

namespace CathLab.Station.Exam;

/// <summary>The exam's part in the hospital's scheduled workflow: the worklist it may start from, its performed
/// procedure step (N-CREATE at the first exposure, N-SET at the end) and its radiation dose report. A RIS that does not
/// answer never stops an exposure: the step's failures are logged and shown, and the exam goes on.</summary>
public sealed class ExamWorkflow(StationOptions options, EquipmentInfo equipment, GeneratorBridge bridge, TimeProvider time, ILogger<ExamWorkflow> logger)
{
    private string? _lastProblem;

    private DateTime Now => time.GetLocalNow().DateTime;

    /// <summary>The last thing that went wrong with the RIS (worklist or MPPS), for the console.</summary>
    public string? LastProblem => Volatile.Read(ref _lastProblem);

    public bool HasWorklist => options.Worklist.Configured;

    public async Task<IReadOnlyList<WorklistItem>> QueryWorklistAsync(WorklistMatch match, CancellationToken cancellationToken)
    {
        if (!options.Worklist.Configured) throw new StationRefusedException("no worklist provider is configured (Station:Worklist)");
        var peer = new DicomPeer(options.Worklist.Host, options.Worklist.Port, options.Worklist.AeTitle, options.AeTitle);
        try
        {
            var result = await new WorklistClient(peer).QueryAsync(match, cancellationToken);
            return result.Items;
        }
        catch (WorklistException e)
        {
            Volatile.Write(ref _lastProblem, e.Message);
            throw new StationRefusedException(e.Message);
        }
    }

    /// <summary>Creates the exam's performed procedure step in the background at its first exposure (once).</summary>
    public void OnExposure(OpenExam exam)
    {
        if (!options.Mpps.Configured) return;
        lock (exam)
        {
            if (exam.ProcedureStep is not null) return;
            var peer = new DicomPeer(options.Mpps.Host, options.Mpps.Port, options.Mpps.AeTitle, options.AeTitle);
            var step = new ProcedureStepReporter(new MppsScu(peer, new AssociationOptions()), new PerformingStation(options.AeTitle, options.StationName),
                exam.Patient, exam.Study);
            exam.ProcedureStep = step;
            exam.ProcedureStepStarted = StartAsync(exam, step);
        }
    }

    private async Task StartAsync(OpenExam exam, ProcedureStepReporter step)
    {
        try
        {
            await step.StartAsync(Now);
            logger.LogInformation("exam {Exam}: performed procedure step {Step} IN PROGRESS", exam.ExamId, step.SopInstanceUid);
        }
        catch (Exception e)
        {
            Volatile.Write(ref _lastProblem, $"MPPS in progress not sent: {e.Message}");
            logger.LogError("exam {Exam}: MPPS N-CREATE failed: {Error}", exam.ExamId, e.Message);
        }
    }

    /// <summary>Writes the exam's X-Ray Radiation Dose SR into the spool; null when the exam irradiated nobody.</summary>
    public (ExamObject? Report, string? Discrepancy) WriteDoseReport(OpenExam exam, string spoolFolder)
    {
        var (runs, other) = exam.Irradiations;
        var ledger = bridge.Dose.Exam;
        if (runs.Count + other.Count == 0 && ledger.Pulses == 0) return (null, null);
        string? discrepancy = ExamDoseReport.Discrepancy(runs, other, ledger);
        if (discrepancy is not null) logger.LogWarning("exam {Exam}: {Discrepancy}", exam.ExamId, discrepancy);
        var series = new SeriesInfo(DicomUidGenerator.NewUid(), exam.NextSeriesNumber()) { Description = "Radiation dose report" };
        string uid = DicomUidGenerator.NewUid();
        var report = ExamDoseReport.Build(new ExamContext(exam.Patient, exam.Study, series, equipment), uid, 1, Now, runs, other, ledger);
        string path = Path.Combine(spoolFolder, uid + ".dcm");
        string partial = path + ".partial";
        ExamDoseReport.Save(report, partial, options.AeTitle);
        File.Move(partial, path);
        logger.LogInformation("exam {Exam}: dose report with {Events} irradiation event(s) in {Path}", exam.ExamId, report.Events.Count, path);
        return (new ExamObject(path, uid, "radiation dose report", 0, null)
        {
            SopClassUid = RdsrBuilder.SopClassUid,
            SeriesInstanceUid = series.InstanceUid,
            SeriesDescription = series.Description,
        }, discrepancy);
    }

    /// <summary>Completes (or discontinues) the performed procedure step with the exam's series and dose.</summary>
    public async Task FinishProcedureStepAsync(OpenExam exam, ExamEnd end)
    {
        if (exam.ProcedureStep is not { } step) return;
        await exam.ProcedureStepStarted;
        if (step.State != ProcedureStepState.InProgress) return;
        var series = exam.Objects
            .GroupBy(o => o.SeriesInstanceUid)
            .Select(g => new PerformedSeries(g.Key, g.First().SeriesDescription, g.First().Description,
                [.. g.Select(o => new PerformedInstance(o.SopClassUid, o.SopInstanceUid))]))
            .ToList();
        try
        {
            // A step completed without any series is refused by the RIS's rules; an exam that stored nothing was discontinued.
            if (end.Discontinued || series.Count == 0)
                await step.DiscontinueAsync(Now, DiscontinuationReason.Unspecified, series, bridge.Dose.Exam, comments: DiscontinuationComments(exam, end));
            else await step.CompleteAsync(Now, series, bridge.Dose.Exam);
            logger.LogInformation("exam {Exam}: performed procedure step {State}", exam.ExamId, step.State);
        }
        catch (Exception e)
        {
            Volatile.Write(ref _lastProblem, $"MPPS {(end.Discontinued ? "discontinued" : "completed")} not sent: {e.Message}");
            logger.LogError("exam {Exam}: MPPS N-SET failed: {Error}", exam.ExamId, e.Message);
        }
    }

    /// <summary>The technician's reason in words, after the emergency note it would otherwise replace; null when neither applies.</summary>
    private static string? DiscontinuationComments(OpenExam exam, ExamEnd end)
    {
        var reason = end.Reason.Trim();
        if (reason.Length == 0) return null;
        var said = $"Discontinued: {reason}";
        return EmergencyPatient.Is(exam.Patient) ? $"{EmergencyPatient.ReconciliationNote} {said}" : said;
    }
}
