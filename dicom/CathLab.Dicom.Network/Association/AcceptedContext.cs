namespace CathLab.Dicom.Network.Association;

/// <summary>A presentation context both sides agreed on: the abstract syntax and the single transfer syntax to use.</summary>
public sealed record AcceptedContext(byte Id, string AbstractSyntax, string TransferSyntax);
