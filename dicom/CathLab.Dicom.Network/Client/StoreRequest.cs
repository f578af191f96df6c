namespace CathLab.Dicom.Network.Client;

/// <summary>A Part 10 file to store. Its SOP class, instance and transfer syntax come from its meta header; the data set is
/// streamed from disk untouched. With <see cref="ExpectedSopInstanceUid"/>, a file that now holds another instance is not sent.</summary>
public sealed record StoreRequest(string Path, string? ExpectedSopInstanceUid = null);
