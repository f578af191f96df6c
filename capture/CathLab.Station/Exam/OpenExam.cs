using CathLab.Dicom.Iods.Context;
using CathLab.Station.Control;

namespace CathLab.Station.Exam;

/// <summary>The exam in progress: who it is for, its study, and the runs so far. Each recorded run is its own series.</summary>
public sealed class OpenExam
{
    private readonly List<RunView> _runs = [];
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
