namespace CathLab.Dicom.Network.Status;

/// <summary>Every failure of the network toolkit: says what happened and whether a retry can help.</summary>
public class DicomNetworkException(string message, FailureKind kind, NetworkFailureReason reason, Exception? inner = null)
    : Exception(message, inner)
{
    public FailureKind Kind { get; } = kind;
    public NetworkFailureReason Reason { get; } = reason;
    public bool IsTransient => Kind == FailureKind.Transient;
}
