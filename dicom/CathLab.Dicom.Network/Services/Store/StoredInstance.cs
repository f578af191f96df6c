namespace CathLab.Dicom.Network.Services.Store;

/// <summary>An object the storage SCP received and wrote to disk as a Part 10 file.</summary>
public sealed record StoredInstance(string Path, string SopClassUid, string SopInstanceUid, string TransferSyntaxUid, string CallingAeTitle, long Length);
