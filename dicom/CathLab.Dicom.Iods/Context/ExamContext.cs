namespace CathLab.Dicom.Iods.Context;

/// <summary>Who and what an object is about: patient, study, the series it goes into, and the station.</summary>
public sealed record ExamContext(PatientInfo Patient, StudyInfo Study, SeriesInfo Series, EquipmentInfo Equipment);
