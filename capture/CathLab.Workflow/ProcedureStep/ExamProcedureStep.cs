namespace CathLab.Workflow.ProcedureStep;

/// <summary>One exam's Modality Performed Procedure Step: none until the first exposure creates it (once), then the
/// N-CREATE in flight or done, which the N-SET at the exam's end waits for.</summary>
public sealed class ExamProcedureStep
{
    private readonly Lock _gate = new();

    public ProcedureStepReporter? Reporter { get; private set; }

    public Task Started { get; private set; } = Task.CompletedTask;

    /// <summary>Creates the step with <paramref name="create"/> and starts it with <paramref name="start"/>, the first time only.</summary>
    public void StartOnce(Func<ProcedureStepReporter> create, Func<ProcedureStepReporter, Task> start)
    {
        lock (_gate)
        {
            if (Reporter is not null) return;
            Reporter = create();
            Started = start(Reporter);
        }
    }
}
