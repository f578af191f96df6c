namespace CathLab.Dicom.Network.Services;

/// <summary>A remote application entity and the AE title we present to it.</summary>
public sealed record DicomPeer(string Host, int Port, string CalledAeTitle, string CallingAeTitle);
