using CathLab.Dicom.Data;
using CathLab.Dicom.Dictionary;

namespace CathLab.Capture.Workflow;

/// <summary>The C-FIND identifier for a <see cref="WorklistMatch"/>: the matching keys set, every attribute the station reads asked for empty.</summary>
public static class WorklistIdentifier
{
    public static DicomDataSet For(WorklistMatch match)
    {
        match.Validate();
        var step = new DicomDataSet();
        Key(step, DicomTags.ScheduledStationAETitle, match.StationAeTitle);
        Key(step, DicomTags.ScheduledProcedureStepStartDate, match.DateKey);
        Key(step, DicomTags.Modality, match.Modality);
        step.SetEmpty(DicomTags.ScheduledProcedureStepStartTime)
            .SetEmpty(DicomTags.ScheduledPerformingPhysicianName)
            .SetEmpty(DicomTags.ScheduledProcedureStepDescription)
            .SetEmpty(DicomTags.ScheduledProcedureStepID);
        var query = new DicomDataSet()
            .SetEmpty(DicomTags.AccessionNumber)
            .SetEmpty(DicomTags.ReferringPhysicianName)
            .SetEmpty(DicomTags.PatientBirthDate)
            .SetEmpty(DicomTags.PatientSex)
            .SetEmpty(DicomTags.StudyInstanceUID)
            .SetEmpty(DicomTags.RequestedProcedureID)
            .SetEmpty(DicomTags.RequestedProcedureDescription);
        Key(query, DicomTags.PatientName, match.PatientName);
        Key(query, DicomTags.PatientID, match.PatientId);
        query.SetSequence(DicomTags.ScheduledProcedureStepSequence, step);
        return CharacterSetDeclaration.DeclareWhereNeeded(query);
    }

    private static void Key(DicomDataSet set, DicomTag tag, string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) set.SetEmpty(tag);
        else set.SetString(tag, value.Trim());
    }
}
