using CathLab.Dicom.Network.Status;

namespace CathLab.Dicom.Network.Services.Store;

/// <summary>The outcome of sending one file: the peer's status, or the failure that stopped it before a status came back.</summary>
public sealed record StoreResult(string Path, string SopInstanceUid, DimseStatus? Status, DicomNetworkException? Error = null)
{
    public bool Stored => Status is { IsDone: true };
}
