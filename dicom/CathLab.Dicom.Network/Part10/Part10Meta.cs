namespace CathLab.Dicom.Network.Part10;

/// <summary>What the network layer needs from a Part 10 file's meta header, and where its data set starts.</summary>
public sealed record Part10Meta(string SopClassUid, string SopInstanceUid, string TransferSyntaxUid, long DataSetOffset);
