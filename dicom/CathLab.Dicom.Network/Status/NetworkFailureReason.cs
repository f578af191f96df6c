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

    /// <summary>The object to send cannot be sent as asked: its file is gone, unreadable, or holds another instance.</summary>
    UnusableObject,
}
