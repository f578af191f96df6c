namespace CathLab.Dicom.Network.Status;

/// <summary>A peer answered a DIMSE request with a failure status.</summary>
public sealed class DimseFailureException(string operation, DimseStatus status)
    : DicomNetworkException($"{operation} failed: {status}", status.Failure ?? FailureKind.Permanent, NetworkFailureReason.DimseStatus)
{
    public DimseStatus Status { get; } = status;
}
