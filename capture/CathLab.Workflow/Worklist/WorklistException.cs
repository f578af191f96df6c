namespace CathLab.Workflow.Worklist;

public enum WorklistFailure
{
    /// <summary>The worklist provider could not be reached or did not answer: try again later.</summary>
    Unavailable,

    /// <summary>The provider answered the query with a failure status.</summary>
    Refused,

    /// <summary>No worklist provider is configured: exams are started by hand.</summary>
    NotConfigured,
}

/// <summary>A worklist query that produced no list, with wording a technician can act on.</summary>
public sealed class WorklistException(string message, WorklistFailure failure, Exception? inner = null) : Exception(message, inner)
{
    public WorklistFailure Failure { get; } = failure;
}
