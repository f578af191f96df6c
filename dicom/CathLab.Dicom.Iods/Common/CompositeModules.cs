using CathLab.Dicom.Data;
using CathLab.Dicom.Dictionary;
using CathLab.Dicom.Iods.Context;

namespace CathLab.Dicom.Iods.Common;

/// <summary>
/// The modules every object of the station shares (PS3.3): Patient (C.7.1.1), General Study (C.7.2.1),
/// the series' common part of General Series (C.7.3.1) / SR Document Series (C.17.1), General Equipment
/// (C.7.5.1) and SOP Common (C.12.1). Type 2 attributes are written empty when unknown.
/// </summary>
public static class CompositeModules
{
    public const string CharacterSet = DicomCharacterSet.Utf8;

    public static void AddSopCommon(DicomDataSet ds, string sopClassUid, string sopInstanceUid, DateTime createdAt)
    {
        ds.SetString(DicomTags.SpecificCharacterSet, CharacterSet);
        ds.SetString(DicomTags.SOPClassUID, sopClassUid);
        ds.SetString(DicomTags.SOPInstanceUID, sopInstanceUid);
        ds.SetString(DicomTags.InstanceCreationDate, DicomDateTimeText.Date(createdAt));
        ds.SetString(DicomTags.InstanceCreationTime, DicomDateTimeText.Time(createdAt));
    }

    public static void AddPatient(DicomDataSet ds, PatientInfo patient)
    {
        if (patient.Sex is not ("" or "M" or "F" or "O")) throw new ArgumentException($"patient sex '{patient.Sex}' is not M, F, O or empty");
        ds.SetString(DicomTags.PatientName, patient.Name);
        ds.SetString(DicomTags.PatientID, patient.Id);
        ds.SetString(DicomTags.PatientBirthDate, patient.BirthDate is { } b ? DicomDateTimeText.Date(b) : "");
        ds.SetString(DicomTags.PatientSex, patient.Sex);
        if (patient.Comments.Length > 0) ds.SetString(DicomTags.PatientComments, patient.Comments.Length > 10240 ? patient.Comments[..10240] : patient.Comments);
    }

    public static void AddGeneralStudy(DicomDataSet ds, StudyInfo study)
    {
        ds.SetString(DicomTags.StudyInstanceUID, study.InstanceUid);
        ds.SetString(DicomTags.StudyDate, DicomDateTimeText.Date(study.StartedAt));
        ds.SetString(DicomTags.StudyTime, DicomDateTimeText.Time(study.StartedAt));
        ds.SetString(DicomTags.ReferringPhysicianName, study.ReferringPhysicianName);
        ds.SetString(DicomTags.StudyID, study.StudyId);
        ds.SetString(DicomTags.AccessionNumber, study.AccessionNumber);
        var description = study.Description.Length > 0 ? study.Description : study.RequestedProcedure?.Description ?? "";
        if (description.Length > 0) ds.SetString(DicomTags.StudyDescription, description);
    }

    public static void AddSeries(DicomDataSet ds, SeriesInfo series, string modality)
    {
        ds.SetString(DicomTags.Modality, modality);
        ds.SetString(DicomTags.SeriesInstanceUID, series.InstanceUid);
        ds.SetString(DicomTags.SeriesNumber, series.Number.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (series.Description.Length > 0) ds.SetString(DicomTags.SeriesDescription, series.Description);
    }

    /// <summary>Request Attributes Sequence (General Series, type 3): the requested procedure this series answers.</summary>
    public static void AddRequestAttributes(DicomDataSet ds, StudyInfo study)
    {
        if (study.RequestedProcedure is not { } rp) return;
        var item = new DicomDataSet()
            .SetString(DicomTags.RequestedProcedureID, rp.Id)
            .SetString(DicomTags.RequestedProcedureDescription, rp.Description);
        if (rp.ScheduledProcedureStepId.Length > 0) item.SetString(DicomTags.ScheduledProcedureStepID, rp.ScheduledProcedureStepId);
        ds.SetSequence(DicomTags.RequestAttributesSequence, item);
    }

    public static void AddGeneralEquipment(DicomDataSet ds, EquipmentInfo equipment)
    {
        ds.SetString(DicomTags.Manufacturer, equipment.Manufacturer);
        if (equipment.InstitutionName.Length > 0) ds.SetString(DicomTags.InstitutionName, equipment.InstitutionName);
        if (equipment.StationName.Length > 0) ds.SetString(DicomTags.StationName, equipment.StationName);
        if (equipment.ModelName.Length > 0) ds.SetString(DicomTags.ManufacturerModelName, equipment.ModelName);
        if (equipment.DeviceSerialNumber.Length > 0) ds.SetString(DicomTags.DeviceSerialNumber, equipment.DeviceSerialNumber);
        if (equipment.SoftwareVersions.Length > 0) ds.SetString(DicomTags.SoftwareVersions, equipment.SoftwareVersions);
    }
}
