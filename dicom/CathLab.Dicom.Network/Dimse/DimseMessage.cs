namespace CathLab.Dicom.Network.Dimse;

/// <summary>A received DIMSE message: its command, the context it came on, and its data set (if any) as the sink it was written to.</summary>
public sealed record DimseMessage(byte ContextId, string TransferSyntax, CommandSet Command, Stream? DataSet);
