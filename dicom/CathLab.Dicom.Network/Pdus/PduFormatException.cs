using CathLab.Dicom.Network.Status;

namespace CathLab.Dicom.Network.Pdus;

/// <summary>A PDU that breaks PS3.8's encoding rules: wrong type, impossible length, truncated item.</summary>
public sealed class PduFormatException(string message)
    : DicomNetworkException(message, FailureKind.Permanent, NetworkFailureReason.ProtocolError);
