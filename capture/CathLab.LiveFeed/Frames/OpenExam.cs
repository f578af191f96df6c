namespace CathLab.LiveFeed.Frames;

/// <summary>The exam whose frames are live now (empty when none) and the run its frames belong to.</summary>
internal sealed class OpenExam
{
    private string _examId = "";
    private string _runId = "";

    public string ExamId => Volatile.Read(ref _examId);

    public string RunId => Volatile.Read(ref _runId);

    public void Begin(string examId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(examId);
        Volatile.Write(ref _examId, examId);
    }

    public void StartRun(string runId) => Volatile.Write(ref _runId, runId);

    public void End() => Volatile.Write(ref _examId, "");
}
