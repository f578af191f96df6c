using CathLab.Acquisition.Protocols;
using CathLab.Acquisition.Runs;
using CathLab.Dicom.Iods.Context;
using CathLab.Dicom.Iods.Rdsr;
using CathLab.Dicom.Uids;
using CathLab.FirmwareBridge;
using CathLab.Station.Control;
using CathLab.Workflow;
using CathLab.Workflow.DoseReporting;
using CathLab.Workflow.ProcedureStep;

namespace CathLab.Station.Exam;

/// <summary>What an exam leaves behind: every irradiation of its runs recorded for the dose report, and at its close
/// the dose report written, the performed procedure step finished and every object handed to the outbox.</summary>
public sealed class ExamPublisher(GeneratorBridge bridge, GeneratorTelemetry telemetry, ExamWorkflow workflow, EquipmentInfo equipment, StationRecorder recorder,
    OutboxService outbox, ILogger<ExamPublisher> logger)
{
    /// <summary>Every run that delivered pulses goes into the exam's dose report: a stored run with its object, any other
    /// (fluoro, or a run that failed and stored nothing) as an irradiation event without an image.</summary>
    public void RecordIrradiation(ActiveRun run, RunResult result, RunView view)
    {
        if (result.Dose.Pulses == 0) return;
        var stored = run.Exam.Objects.LastOrDefault(o => o.RunNumber == run.Number && o.Recorded is not null);
        if (view.State == RunState.Complete && stored?.Recorded is { } recorded)
        {
            run.Exam.AddIrradiation(new RecordedRunIrradiation(recorded.Image, result.Dose)
            {
                Protocol = run.Protocol.Name,
                DistanceSourceToDetectorMm = bridge.Dose.Geometry.SourceImageDistanceCm * 10,
            });
            return;
        }
        var (kv, ma, width) = telemetry.RunMeans;
        bool fluoro = run.Protocol.Kind == RunKind.Fluoro;
        run.Exam.AddIrradiation(new FluoroSequence(run.StartedAt, result.Duration, result.Dose, run.Protocol.Phases[0].PulseRate, kv, ma, width, 0, 0)
        {
            Protocol = fluoro ? run.Protocol.Name : $"{run.Protocol.Name} (failed, not stored)",
            Kind = fluoro ? IrradiationKind.Fluoroscopy : IrradiationKind.Acquisition,
        });
    }

    /// <summary>Publishes the closed exam: its dose report (a failure is logged and shown, the rest goes on), its
    /// procedure step's end, then every object to the outbox.</summary>
    public async Task PublishAsync(OpenExam exam, ExamEnd end)
    {
        try
        {
            if (WriteDoseReport(exam) is { } report)
            {
                exam.AddObject(new ExamObject(report.Path, report.SopInstanceUid, $"radiation dose report, {report.Events} irradiation event(s)", 0, null)
                {
                    SopClassUid = RdsrBuilder.SopClassUid,
                    SeriesInstanceUid = report.SeriesInstanceUid,
                    SeriesDescription = report.SeriesDescription,
                });
                if (report.Discrepancy is { } discrepancy) telemetry.Raise("DoseReport", $"exam {exam.ExamId}: dose report written, but {discrepancy}");
            }
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException)
        {
            logger.LogError("exam {Exam}: the dose report could not be written: {Error}", exam.ExamId, e.Message);
            telemetry.Raise("DoseReport", $"exam {exam.ExamId}: the dose report could not be written: {e.Message}");
        }
        await workflow.FinishProcedureStepAsync(exam.ProcedureStep, exam.ExamId, exam.Patient, PerformedSeriesOf(exam), bridge.Dose.Exam,
            end.Discontinued, end.Reason);
        HandToOutbox(exam);
        logger.LogInformation("exam {Exam} {How}: {Runs} recorded run(s), Ka,r {Kar:0.00} mGy", exam.ExamId,
            end.Discontinued ? $"DISCONTINUED ({end.Reason})" : "completed", exam.Runs.Count(r => r.ObjectPath is not null), bridge.Dose.Exam.ReferenceAirKermaMilliGray);
    }

    private DoseReportFile? WriteDoseReport(OpenExam exam)
    {
        var (runs, other) = exam.Irradiations;
        var series = new SeriesInfo(DicomUidGenerator.NewUid(), exam.NextSeriesNumber()) { Description = "Radiation dose report" };
        return workflow.WriteDoseReport(exam.ExamId, new ExamContext(exam.Patient, exam.Study, series, equipment), runs, other, bridge.Dose.Exam,
            recorder.SpoolFolder);
    }

    private static List<PerformedSeries> PerformedSeriesOf(OpenExam exam) =>
        exam.Objects
            .GroupBy(o => o.SeriesInstanceUid)
            .Select(g => new PerformedSeries(g.Key, g.First().SeriesDescription, g.First().Description,
                [.. g.Select(o => new PerformedInstance(o.SopClassUid, o.SopInstanceUid))]))
            .ToList();

    /// <summary>An object the outbox refuses stays in the spool and is logged.</summary>
    private void HandToOutbox(OpenExam exam)
    {
        foreach (var item in exam.Objects)
        {
            try
            {
                outbox.Publish(item.Path, item.SopInstanceUid, item.Description);
            }
            catch (Exception e)
            {
                logger.LogError("exam {Exam}: {Object} stays in the spool, not published: {Error}", exam.ExamId, item.Path, e.Message);
            }
        }
    }
}
