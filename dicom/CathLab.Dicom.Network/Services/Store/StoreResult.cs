using CathLab.Dicom.Network.Client;
using CathLab.Dicom.Network.Status;

namespace CathLab.Dicom.Network.Services.Store;

/// <summary>The outcome of storing one object: the peer's status, or the failure that stopped it before a status came back.
/// <see cref="Attempted"/> is false when the object never went out (unreadable file, no accepted context, no association,
/// or an association lost before its turn).</summary>
public sealed record StoreResult(StoreRequest Request, string? SopInstanceUid, DimseStatus? Status, DicomNetworkException? Error = null, bool Attempted = true)
{
    public string Path => Request.Path;

    public bool Stored => Status is { IsDone: true };
}
