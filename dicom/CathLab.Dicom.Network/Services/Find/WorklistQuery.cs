using CathLab.Dicom.Data;
using CathLab.Dicom.Dictionary;

namespace CathLab.Dicom.Network.Services.Find;

/// <summary>Builds the usual Modality Worklist identifier (PS3.4 §K.6): match on station AE, modality and date, and
/// optionally on patient name and ID; every other attribute the station reads is asked for empty (return keys).</summary>
public static class WorklistQuery
{
    public static DicomDataSet For(string? stationAeTitle, string? modality, string? date, string? patientName = null, string? patientId = null)
    {
        var step = new DicomDataSet();
        SetOrEmpty(step, DicomTags.Modality, modality);
        SetOrEmpty(step, DicomTags.ScheduledStationAETitle, stationAeTitle);
        SetOrEmpty(step, DicomTags.ScheduledProcedureStepStartDate, date);
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
            .SetEmpty(DicomTags.RequestedProcedureDescription)
            .SetEmpty(DicomTags.RequestedProcedureID);
        SetOrEmpty(query, DicomTags.PatientName, patientName);
        SetOrEmpty(query, DicomTags.PatientID, patientId);
        query.SetSequence(DicomTags.ScheduledProcedureStepSequence, step);
        return query;
    }

    private static void SetOrEmpty(DicomDataSet set, DicomTag tag, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            set.SetEmpty(tag);
        }
        else
        {
            set.SetString(tag, value.Trim());
        }
    }
}
