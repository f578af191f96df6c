namespace CathLab.Dicom.Network.Services.StorageCommitment;

/// <summary>A SOP instance named in a storage commitment request or report; FailureReason is set for failed ones (PS3.4 §J.3.3).</summary>
public sealed record SopReference(string SopClassUid, string SopInstanceUid, ushort? FailureReason = null);
