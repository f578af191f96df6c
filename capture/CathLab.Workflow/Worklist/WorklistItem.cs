using CathLab.Dicom.Iods.Context;

namespace CathLab.Workflow.Worklist;

/// <summary>One scheduled procedure step of the worklist, with its patient and requested procedure.</summary>
public sealed record WorklistItem(
    string PatientName,
    string PatientId,
    DateOnly? PatientBirthDate,
    string PatientSex,
    string AccessionNumber,
    string RequestedProcedureId,
    string RequestedProcedureDescription,
    string StudyInstanceUid,
    string ScheduledProcedureStepId,
    string ScheduledProcedureStepDescription,
    DateTime? ScheduledStart,
    string ReferringPhysicianName)
{
    public string Modality { get; init; } = "";
    public string ScheduledStationAeTitle { get; init; } = "";

    public PatientInfo ToPatientInfo() => new(PatientName, PatientId, PatientBirthDate, PatientSex);

    /// <summary>
    /// The study every object of the exam carries: the worklist's study UID (so the RIS and PACS see one study),
    /// accession number, referring physician and requested procedure with its step.
    /// </summary>
    public StudyInfo ToStudyInfo(DateTime startedAt) => new(StudyInstanceUid, startedAt)
    {
        AccessionNumber = AccessionNumber,
        ReferringPhysicianName = ReferringPhysicianName,
        Description = RequestedProcedureDescription,
        RequestedProcedure = new RequestedProcedure(RequestedProcedureId, RequestedProcedureDescription)
        {
            ScheduledProcedureStepId = ScheduledProcedureStepId,
        },
    };
}
