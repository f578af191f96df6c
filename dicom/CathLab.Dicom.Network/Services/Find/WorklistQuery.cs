using CathLab.Dicom.Network.Attributes;

namespace CathLab.Dicom.Network.Services.Find;

/// <summary>Builds the usual Modality Worklist identifier (PS3.4 §K.6): match on station AE, modality and date; return the rest.</summary>
public static class WorklistQuery
{
    public static AttributeSet For(string? stationAeTitle, string? modality, string? date)
    {
        var step = new AttributeSet()
            .Set(AttributeTags.Modality, "CS", modality)
            .Set(AttributeTags.ScheduledStationAeTitle, "AE", stationAeTitle)
            .Set(AttributeTags.ScheduledProcedureStepStartDate, "DA", date)
            .Set(AttributeTags.ScheduledProcedureStepStartTime, "TM", null)
            .Set(AttributeTags.ScheduledPerformingPhysicianName, "PN", null)
            .Set(AttributeTags.ScheduledProcedureStepDescription, "LO", null)
            .Set(AttributeTags.ScheduledProcedureStepId, "SH", null);
        return new AttributeSet()
            .Set(AttributeTags.AccessionNumber, "SH", null)
            .Set(AttributeTags.PatientName, "PN", null)
            .Set(AttributeTags.PatientId, "LO", null)
            .Set(AttributeTags.PatientBirthDate, "DA", null)
            .Set(AttributeTags.PatientSex, "CS", null)
            .Set(AttributeTags.StudyInstanceUid, "UI", null)
            .Set(AttributeTags.RequestedProcedureDescription, "LO", null)
            .Set(AttributeTags.RequestedProcedureId, "SH", null)
            .SetSequence(AttributeTags.ScheduledProcedureStepSequence, step);
    }
}
