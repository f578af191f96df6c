namespace CathLab.Workflow.Patients;

/// <summary>The patient and order fields a technician types for an exam started by hand, checked against the lengths
/// of the DICOM values they become: Patient ID (LO, 64 characters), Patient's Name (PN, at most 64 characters in each
/// of its component groups; five groups' worth is the bound taken here), Accession Number (SH, 16 characters).</summary>
public static class PatientEntry
{
    public const int MaxPatientIdLength = 64;
    public const int MaxPatientNameLength = 64 * 5;
    public const int MaxAccessionNumberLength = 16;

    /// <summary>What is too long, in words; null when every field fits.</summary>
    public static string? Problem(string patientName, string patientId, string accessionNumber) =>
        patientId.Length > MaxPatientIdLength ? $"the patient ID is longer than {MaxPatientIdLength} characters (DICOM LO)"
        : patientName.Length > MaxPatientNameLength ? "the patient name is too long for DICOM (PN)"
        : accessionNumber.Length > MaxAccessionNumberLength ? $"the accession number is longer than {MaxAccessionNumberLength} characters (DICOM SH)"
        : null;
}
