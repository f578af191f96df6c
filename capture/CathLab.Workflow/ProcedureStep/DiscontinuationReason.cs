using CathLab.Dicom.Iods.Rdsr;

namespace CathLab.Workflow.ProcedureStep;

/// <summary>Why a procedure step was discontinued: codes of CID 9300 "Procedure Discontinuation Reasons" (scheme DCM).</summary>
public static class DiscontinuationReason
{
    public static readonly CodedConcept DoctorCanceled = new("110500", "DCM", "Doctor canceled procedure");
    public static readonly CodedConcept EquipmentFailure = new("110501", "DCM", "Equipment failure");
    public static readonly CodedConcept IncorrectProcedureOrdered = new("110502", "DCM", "Incorrect procedure ordered");
    public static readonly CodedConcept PatientAllergicToContrast = new("110503", "DCM", "Patient allergic to media/contrast");
    public static readonly CodedConcept PatientDied = new("110504", "DCM", "Patient died");
    public static readonly CodedConcept PatientRefused = new("110505", "DCM", "Patient refused to continue procedure");
    public static readonly CodedConcept PatientTakenForTreatment = new("110506", "DCM", "Patient taken for treatment or surgery");
    public static readonly CodedConcept Unspecified = new("110513", "DCM", "Discontinued for unspecified reason");
    public static readonly CodedConcept IncorrectWorklistEntry = new("110514", "DCM", "Incorrect worklist entry selected");
    public static readonly CodedConcept PatientConditionPrevented = new("110515", "DCM", "Patient condition prevented continuing");
}
