using CathLab.Dicom.Network.Pdus;

namespace CathLab.Dicom.Network.Status;

/// <summary>The association ended by A-ABORT or by the connection dropping mid-exchange. Worth retrying: nothing says the peer refuses the work itself.</summary>
public sealed class AssociationAbortedException(AbortSource source, AbortReason reason, string detail)
    : DicomNetworkException($"association aborted by {source} ({reason}): {detail}", FailureKind.Transient, NetworkFailureReason.AssociationAborted)
{
    public AbortSource AbortSource { get; } = source;
    public AbortReason AbortReason { get; } = reason;
}
