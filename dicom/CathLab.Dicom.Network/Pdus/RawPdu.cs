namespace CathLab.Dicom.Network.Pdus;

/// <summary>A PDU as read off the wire: its type and variable field. The body is only valid until the next read.</summary>
public readonly record struct RawPdu(PduType Type, ReadOnlyMemory<byte> Body);
