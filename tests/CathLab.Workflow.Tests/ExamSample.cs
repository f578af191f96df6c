using CathLab.Dicom.Iods.Context;
using CathLab.Dicom.Iods.Xa;
using CathLab.Dicom.Uids;
using CathLab.FirmwareBridge.Dose;
using CathLab.Wire.Generator;
using CathLab.Workflow.DoseReporting;
using CathLab.Workflow.Patients;
using CathLab.Workflow.ProcedureStep;
using CathLab.Workflow.Worklist;

namespace CathLab.Workflow.Tests;

/// <summary>
/// One exam as the station sees it at its end: a dose ledger fed with the generator's events for a fluoro sequence and
/// two cine runs, and the summaries the recorder would have returned for the two runs (no files behind them).
/// </summary>
internal sealed class ExamSample
{
    public static readonly DateTime Start = new(2026, 11, 24, 9, 30, 0, DateTimeKind.Local);
    private static readonly Technique Fluoro = new(72, 12, 5);
    private static readonly Technique Cine = new(80, 400, 6.5);

    public DoseLedger Ledger { get; } = new() { Geometry = new BeamGeometry(20, 20, 100, 60) };
    public string CineSeriesUid { get; } = DicomUidGenerator.NewUid();
    public List<RecordedRunIrradiation> Runs { get; } = [];
    public List<FluoroSequence> FluoroSequences { get; } = [];

    public ExamSample()
    {
        uint pulse = 0;
        void Exposure(ExposureKind kind, Technique t, double rate, int pulses, uint nanoGray)
        {
            Ledger.Observe(new ExposureStartedEvent(new TechniqueSetting(kind, t, rate)));
            for (var i = 0; i < pulses; i++) Ledger.Observe(new PulseEvent(++pulse, pulse * 1000UL, kind, t, nanoGray));
            Ledger.Observe(new ExposureEndedEvent(ExposureEndReason.Released, (uint)pulses));
        }

        Ledger.StartExam();
        Exposure(ExposureKind.Fluoro, Fluoro, 10, 200, 20_000);
        FluoroSequences.Add(new FluoroSequence(Start.AddMinutes(1), TimeSpan.FromSeconds(20), Ledger.Runs[^1].Totals, 10, 72, 12, 5, 0, 0) { Protocol = "Fluoro 10 p/s" });
        Exposure(ExposureKind.Cine, Cine, 15, 12, 150_000);
        Runs.Add(new RecordedRunIrradiation(Summary(Start.AddMinutes(3), 12, 30), Ledger.Runs[^1].Totals) { Protocol = "LCA 15 fps", DistanceSourceToDetectorMm = 1100 });
        Exposure(ExposureKind.Cine, Cine, 15, 8, 150_000);
        Runs.Add(new RecordedRunIrradiation(Summary(Start.AddMinutes(6), 8, -25), Ledger.Runs[^1].Totals) { Protocol = "RCA 15 fps", DistanceSourceToDetectorMm = 1100 });
    }

    public static PatientInfo Patient => new("DOE^JANE", "PID-0042", new DateOnly(1961, 3, 14), "F");

    public static StudyInfo Study => new(DicomUidGenerator.NewUid(), Start)
    {
        AccessionNumber = "ACC-7",
        ReferringPhysicianName = "HOUSE^GREGORY",
        StudyId = "S17",
        Description = "Coronary angiography",
        RequestedProcedure = new RequestedProcedure("RP-1", "Coronary angiography") { ScheduledProcedureStepId = "SPS-1" },
    };

    public static EquipmentInfo Equipment => new("CathLab One", "LAB1", "cathlab 0.1", "SN-0001", "2.25.118829112347238917243128744");

    private XaRunSummary Summary(DateTime started, int frames, double primaryAngle)
    {
        var ended = started.AddMilliseconds((frames - 1) * 1000.0 / 15 + 6.5);
        return new XaRunSummary($"/nowhere/{frames}.dcm", DicomUids.XRayAngiographicImageStorage, DicomUidGenerator.NewUid(), CineSeriesUid,
            DicomUidGenerator.NewUid(), frames, started, ended, 80, 80, 80, 400, 6.5, frames * 6.5, frames * 400 * 6.5, primaryAngle, 20, false, 1 << 20);
    }
}
