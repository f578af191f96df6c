using System.Globalization;
using CathLab.Dicom.Iods.Context;
using CathLab.Dicom.Uids;
using CathLab.Station.Control;
using CathLab.Workflow.Patients;
using CathLab.Workflow.ProcedureStep;
using CathLab.Workflow.Worklist;

namespace CathLab.Station.Exam;

/// <summary>Who and what an exam is for, from the technician's request: a worklist entry, a patient typed by hand
/// (both name and ID, within their DICOM lengths), or neither for an emergency patient to reconcile later.</summary>
public sealed record ExamOrder(PatientInfo Patient, StudyInfo Study, bool Emergency, WorklistItem? Item)
{
    private const string DefaultStudyDescription = "Cardiac catheterisation";

    public static ExamOrder For(ExamRequest request, WorklistItem? item, DateTime now)
    {
        bool emergency = item is null && string.IsNullOrWhiteSpace(request.PatientId) && string.IsNullOrWhiteSpace(request.PatientName);
        if (item is null && !emergency && (string.IsNullOrWhiteSpace(request.PatientId) || string.IsNullOrWhiteSpace(request.PatientName)))
            throw new StationRefusedException("give both the patient's name and ID, or neither for an emergency exam");
        if (PatientEntry.Problem(request.PatientName, request.PatientId, request.AccessionNumber) is { } problem) throw new StationRefusedException(problem);
        var patient = item?.ToPatientInfo() ?? (emergency ? EmergencyPatient.At(now) : new PatientInfo(request.PatientName.Trim(), request.PatientId.Trim()));
        var study = item?.ToStudyInfo(now) ?? new StudyInfo(DicomUidGenerator.Default.Next(), now)
        {
            AccessionNumber = request.AccessionNumber.Trim(),
            Description = string.IsNullOrWhiteSpace(request.StudyDescription) ? DefaultStudyDescription : request.StudyDescription.Trim(),
        };
        if (study.StudyId.Length == 0) study = study with { StudyId = now.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) };
        return new ExamOrder(patient, study, emergency, item);
    }
}
