namespace CathLab.Dicom.Network.Services.Mpps;

/// <summary>Performed Procedure Step Status (0040,0252) values (PS3.3 §C.4.14).</summary>
public static class MppsStatus
{
    public const string InProgress = "IN PROGRESS";
    public const string Completed = "COMPLETED";
    public const string Discontinued = "DISCONTINUED";
}
