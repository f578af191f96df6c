using CathLab.Dicom.Network.Services.Store;

namespace CathLab.Dicom.Network.Client;

/// <summary>Told about each object of a store as the client works through it, in order, on the storing task.</summary>
public interface IStoreProgress
{
    /// <summary>The C-STORE of <paramref name="request"/> is about to go out.</summary>
    void Sending(StoreRequest request);

    /// <summary>The object's outcome is known: stored, refused by status, failed on the wire, or never sent.</summary>
    void Completed(StoreResult result);
}
