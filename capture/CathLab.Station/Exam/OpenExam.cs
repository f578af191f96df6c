using CathLab.Acquisition.Recording;
using CathLab.Dicom.Iods.Context;
using CathLab.Station.Control;
using CathLab.Workflow.DoseReporting;
using CathLab.Workflow.ProcedureStep;
using CathLab.Workflow.Worklist;

namespace CathLab.Station.Exam;

/// <summary>The exam in progress: who it is for, its study, and the runs so far. Each recorded run is its own series.</summary>
public sealed class OpenExam
{
    private readonly List<RunView> _runs = [];
    private readonly List<ExamObject> _objects = [];
    private readonly List<RecordedRunIrradiation> _doseRuns = [];
    private readonly List<FluoroSequence> _fluoro = [];
    private int _seriesNumber;

    public OpenExam(string examId, PatientInfo patient, StudyInfo study, bool emergency)
    {
        ExamId = examId;
        Patient = patient;
        Study = study;
        Emergency = emergency;
    }

    public string ExamId { get; }
    public PatientInfo Patient { get; }
    public StudyInfo Study { get; }
    public bool Emergency { get; }

    public IReadOnlyList<RunView> Runs
    {
        get { lock (_runs) return [.. _runs]; }
    }

    /// <summary>The objects this exam made so far (recorded runs, remasked runs), in order.</summary>
    public IReadOnlyList<ExamObject> Objects
    {
        get { lock (_objects) return [.. _objects]; }
    }

    public void AddObject(ExamObject item)
    {
        lock (_objects) _objects.Add(item);
    }

    /// <summary>The worklist item the exam was started from, or null for an exam started by hand.</summary>
    public WorklistItem? WorklistItem { get; init; }

    /// <summary>The exam's Modality Performed Procedure Step, created by the first exposure.</summary>
    public ExamProcedureStep ProcedureStep { get; } = new();

    /// <summary>Every irradiation of the exam for its dose report: recorded runs with their objects, and the rest
    /// (fluoro sequences, and runs that failed and stored no object) as events without an image.</summary>
    public (IReadOnlyList<RecordedRunIrradiation> Runs, IReadOnlyList<FluoroSequence> Other) Irradiations
    {
        get { lock (_doseRuns) return ([.. _doseRuns], [.. _fluoro]); }
    }

    public void AddIrradiation(RecordedRunIrradiation run)
    {
        lock (_doseRuns) _doseRuns.Add(run);
    }

    public void AddIrradiation(FluoroSequence sequence)
    {
        lock (_doseRuns) _fluoro.Add(sequence);
    }

    public int NextSeriesNumber() => Interlocked.Increment(ref _seriesNumber);

    public void Add(RunView run)
    {
        lock (_runs) _runs.Add(run);
    }

    public void Replace(RunView run)
    {
        lock (_runs)
        {
            int i = _runs.FindIndex(r => r.Number == run.Number);
            if (i >= 0) _runs[i] = run;
            else _runs.Add(run);
        }
    }

    public ExamView View(bool open) => new(ExamId, Study.InstanceUid, Patient.Name, Patient.Id, Study.AccessionNumber, Emergency, open,
        Runs.Count(r => r.ObjectPath is not null));
}

/// <summary>One stored object of an exam, in the spool until the exam is published. <see cref="Recorded"/> is set for a
/// run as recorded (with its dose), null for a re-issued one.</summary>
public sealed record ExamObject(string Path, string SopInstanceUid, string Description, int RunNumber, Acquisition.Recording.RecordedRun? Recorded)
{
    public string SopClassUid { get; init; } = "1.2.840.10008.5.1.4.1.1.12.1";
    public string SeriesInstanceUid { get; init; } = "";
    public string SeriesDescription { get; init; } = "";
}
