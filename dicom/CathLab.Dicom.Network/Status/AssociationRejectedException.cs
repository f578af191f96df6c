using CathLab.Dicom.Network.Pdus;

namespace CathLab.Dicom.Network.Status;

/// <summary>The peer answered A-ASSOCIATE-RJ; PS3.8's result field says whether it is permanent or transient.</summary>
public sealed class AssociationRejectedException(AssociateReject reject)
    : DicomNetworkException(
        $"association rejected ({reject.Result.ToString().ToLowerInvariant()}) by {reject.Source}: {reject.Describe()}",
        reject.Result == RejectResult.Transient ? FailureKind.Transient : FailureKind.Permanent,
        NetworkFailureReason.AssociationRejected)
{
    public AssociateReject Reject { get; } = reject;
}
