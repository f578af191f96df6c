using CathLab.Dicom.Iods.Context;
using CathLab.Dicom.Iods.Rdsr;
using CathLab.Dicom.Iods.Xa;
using CathLab.Dicom.Uids;
using CathLab.FirmwareBridge.Dose;

namespace CathLab.Workflow.DoseReporting;

/// <summary>One irradiation event of the dose report for a recorded run (cine, DSA): the object the recorder wrote, the dose the
/// ledger measured for it, its protocol and geometry. (What the recorder itself returns is <see cref="Recording.RecordedRun"/>.)</summary>
public sealed record RecordedRunIrradiation(XaRunSummary Summary, DoseTotals Dose)
{
    public string Protocol { get; init; } = "";
    public double? DistanceSourceToDetectorMm { get; init; }
}

/// <summary>A fluoroscopy sequence (one press of the fluoro pedal, not recorded): technique means and the ledger's dose for it.</summary>
public sealed record FluoroSequence(DateTime StartedAt, TimeSpan Duration, DoseTotals Dose, double PulseRatePerSecond,
    double MeanKvp, double MeanTubeCurrentMa, double MeanPulseWidthMs, double PrimaryAngleDeg, double SecondaryAngleDeg)
{
    public string Uid { get; init; } = DicomUidGenerator.NewUid();
    public string Protocol { get; init; } = "";

    /// <summary>Fluoroscopy, or Acquisition for a run that irradiated but stored no image (it failed).</summary>
    public IrradiationKind Kind { get; init; } = IrradiationKind.Fluoroscopy;
}

/// <summary>
/// Builds the exam's one X-Ray Radiation Dose SR from its recorded runs and fluoro sequences, and checks the report's
/// totals (the sums of its events) against the dose ledger's exam totals. The report is the one object that must
/// always exist, so a disagreement does not stop it: dose the ledger counted but no event holds (a run cut off by a
/// lost link) becomes one more irradiation event that says so, and <see cref="Discrepancy"/> states the difference
/// for the log and the technician.
/// </summary>
public static class ExamDoseReport
{
    // The ledger sums the same pulses; only floating-point summation order may differ.
    private const double RelativeTolerance = 1e-6;

    /// <param name="srExam">The exam with the dose report's own series.</param>
    /// <param name="ledgerExamTotals">The ledger's exam totals; null skips the cross-check.</param>
    public static DoseReport Build(ExamContext srExam, string sopInstanceUid, int instanceNumber, DateTime completedAt,
        IReadOnlyList<RecordedRunIrradiation> runs, IReadOnlyList<FluoroSequence> fluoro, DoseTotals? ledgerExamTotals = null, ProcedureIntent intent = ProcedureIntent.Diagnostic)
    {
        var events = runs.Select(ToEvent).Concat(fluoro.Select(ToEvent)).OrderBy(e => e.StartedAt).ToList();
        if (ledgerExamTotals is { } ledger && Unattributed(runs, fluoro, ledger, completedAt) is { } missing) events.Add(ToEvent(missing));
        if (events.Count == 0) throw new ArgumentException("the exam has no irradiation event: there is no dose to report");
        return new DoseReport(srExam, sopInstanceUid, instanceNumber, completedAt, events) { Intent = intent };
    }

    /// <summary>How the events disagree with the ledger, in words; null when they agree.</summary>
    public static string? Discrepancy(IReadOnlyList<RecordedRunIrradiation> runs, IReadOnlyList<FluoroSequence> fluoro, DoseTotals ledger)
    {
        var (dap, kar) = Sums(runs, fluoro);
        if (Close(dap, ledger.DoseAreaProductGyCm2) && Close(kar, ledger.ReferenceAirKermaMilliGray)) return null;
        string how = kar < ledger.ReferenceAirKermaMilliGray || dap < ledger.DoseAreaProductGyCm2
            ? "the difference is reported as an irradiation event of its own (dose not attributed to a recorded run)"
            : "an event may be counted twice; the report's totals are the events' sums";
        return $"the irradiation events add up to {dap:0.######} Gy·cm² and {kar:0.######} mGy but the dose ledger counted " +
            $"{ledger.DoseAreaProductGyCm2:0.######} Gy·cm² and {ledger.ReferenceAirKermaMilliGray:0.######} mGy for the exam: {how}";
    }

    public static void Save(DoseReport report, string path, string? sourceAeTitle = null) => RdsrBuilder.Save(report, path, sourceAeTitle);

    private static IrradiationEvent ToEvent(RecordedRunIrradiation run) =>
        IrradiationEvent.FromRun(run.Summary, GyM2(run.Dose), Gy(run.Dose), run.Protocol, run.DistanceSourceToDetectorMm);

    private static IrradiationEvent ToEvent(FluoroSequence f) => new(
        f.Kind, f.Uid, f.StartedAt, f.Duration.TotalSeconds, GyM2(f.Dose), Gy(f.Dose), f.Dose.Pulses,
        f.PulseRatePerSecond, f.MeanKvp, f.MeanTubeCurrentMa, f.MeanPulseWidthMs, f.PrimaryAngleDeg, f.SecondaryAngleDeg)
    {
        AcquisitionProtocol = f.Protocol,
    };

    // The ledger counts DAP in Gy·cm² and Ka,r in mGy; TID 10003 wants Gy·m² and Gy.
    private static double GyM2(DoseTotals d) => d.DoseAreaProductGyCm2 / 10_000;
    private static double Gy(DoseTotals d) => d.ReferenceAirKermaMilliGray / 1000;

    private static (double DapGyCm2, double KarMilliGray) Sums(IReadOnlyList<RecordedRunIrradiation> runs, IReadOnlyList<FluoroSequence> fluoro) =>
        (runs.Sum(r => r.Dose.DoseAreaProductGyCm2) + fluoro.Sum(f => f.Dose.DoseAreaProductGyCm2),
         runs.Sum(r => r.Dose.ReferenceAirKermaMilliGray) + fluoro.Sum(f => f.Dose.ReferenceAirKermaMilliGray));

    /// <summary>The dose the ledger counted beyond the events, as an event of its own; null when nothing is missing.</summary>
    private static FluoroSequence? Unattributed(IReadOnlyList<RecordedRunIrradiation> runs, IReadOnlyList<FluoroSequence> fluoro, DoseTotals ledger, DateTime at)
    {
        var (dap, kar) = Sums(runs, fluoro);
        double missingDap = ledger.DoseAreaProductGyCm2 - dap, missingKar = ledger.ReferenceAirKermaMilliGray - kar;
        if (Close(dap, ledger.DoseAreaProductGyCm2) && Close(kar, ledger.ReferenceAirKermaMilliGray)) return null;
        if (missingDap <= 0 && missingKar <= 0) return null;
        int fluoroPulses = Math.Max(0, ledger.FluoroPulses - runs.Sum(r => r.Dose.FluoroPulses) - fluoro.Sum(f => f.Dose.FluoroPulses));
        int cinePulses = Math.Max(0, ledger.CinePulses - runs.Sum(r => r.Dose.CinePulses) - fluoro.Sum(f => f.Dose.CinePulses));
        var fluoroTime = ledger.FluoroTime - TimeSpan.FromTicks(runs.Sum(r => r.Dose.FluoroTime.Ticks) + fluoro.Sum(f => f.Dose.FluoroTime.Ticks));
        if (fluoroTime < TimeSpan.Zero) fluoroTime = TimeSpan.Zero;
        var dose = new DoseTotals(Math.Max(0, missingKar), Math.Max(0, missingDap), fluoroTime, fluoroPulses, cinePulses, 0);
        // The pulses' technique is not known here; the exam's last event stands for it (an event needs a physical one).
        var (kv, ma, width) = runs.Select(r => (r.Summary.StartedAt, r.Summary.MeanKvp, r.Summary.MeanTubeCurrentMa, r.Summary.MeanPulseWidthMs))
            .Concat(fluoro.Select(f => (f.StartedAt, f.MeanKvp, f.MeanTubeCurrentMa, f.MeanPulseWidthMs)))
            .Where(t => t.Item2 > 0).OrderBy(t => t.Item1).Select(t => (t.Item2, t.Item3, t.Item4)).LastOrDefault();
        if (!(kv > 0)) return null;
        return new FluoroSequence(at, fluoroTime, dose, 0, kv, ma, width, 0, 0)
        {
            Protocol = "dose counted by the generator's pulse reports but not attributed to a recorded run or fluoro sequence",
            Kind = cinePulses > 0 || fluoroPulses == 0 ? IrradiationKind.Acquisition : IrradiationKind.Fluoroscopy,
        };
    }

    private static bool Close(double a, double b) => Math.Abs(a - b) <= RelativeTolerance * Math.Max(Math.Abs(a), Math.Abs(b)) + 1e-12;
}
