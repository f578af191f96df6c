using CathLab.Dicom.Data;
using CathLab.Dicom.Dictionary;

namespace CathLab.Dicom.Network.Services.Find;

/// <summary>Builds the usual Modality Worklist identifier (PS3.4 §K.6): match on station AE, modality and date; return the rest.</summary>
public static class WorklistQuery
{
    public static DicomDataSet For(string? stationAeTitle, string? modality, string? date)
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
            .SetEmpty(DicomTags.PatientName)
            .SetEmpty(DicomTags.PatientID)
            .SetEmpty(DicomTags.PatientBirthDate)
            .SetEmpty(DicomTags.PatientSex)
            .SetEmpty(DicomTags.StudyInstanceUID)
            .SetEmpty(DicomTags.RequestedProcedureDescription)
            .SetEmpty(DicomTags.RequestedProcedureID);
        query.SetSequence(DicomTags.ScheduledProcedureStepSequence, step);
        return query;
    }

    private static void SetOrEmpty(DicomDataSet set, DicomTag tag, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            set.SetEmpty(tag);
        }
        else
        {
            set.SetString(tag, value);
        }
    }
}
