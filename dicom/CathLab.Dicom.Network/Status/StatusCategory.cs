namespace CathLab.Dicom.Network.Status;

/// <summary>The class of a DIMSE status (PS3.7 §C.1).</summary>
public enum StatusCategory
{
    Success,
    Pending,
    Cancel,
    Warning,
    Failure,
}
