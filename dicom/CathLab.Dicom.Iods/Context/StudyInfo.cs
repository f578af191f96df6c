namespace CathLab.Dicom.Iods.Context;

/// <summary>The study every object of the exam belongs to, with the request it answers.</summary>
public sealed record StudyInfo(string InstanceUid, DateTime StartedAt)
{
    public string AccessionNumber { get; init; } = "";
    public string ReferringPhysicianName { get; init; } = "";
    public string StudyId { get; init; } = "";
    public string Description { get; init; } = "";
    public RequestedProcedure? RequestedProcedure { get; init; }
}

/// <summary>The requested procedure (from the worklist) that the exam performs.</summary>
public sealed record RequestedProcedure(string Id, string Description)
{
    public string ScheduledProcedureStepId { get; init; } = "";
    public string PlacerOrderNumber { get; init; } = "";
    public string FillerOrderNumber { get; init; } = "";
}
