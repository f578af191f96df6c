namespace CathLab.Dicom.Network.Status;

/// <summary>What went wrong below or at the association level.</summary>
public enum NetworkFailureReason
{
    ConnectionRefused,
    ConnectionClosed,
    Timeout,
    AssociationRejected,
    AssociationAborted,
    NoAcceptablePresentationContext,
    ProtocolError,
    TlsFailure,
    DimseStatus,
}
