namespace CathLab.Dicom.Network.Pdus;

/// <summary>A-ASSOCIATE-AC (PS3.8 §9.3.3).</summary>
public sealed record AssociateAccept
{
    public required string CalledAeTitle { get; init; }
    public required string CallingAeTitle { get; init; }
    public string ApplicationContext { get; init; } = AssociateRequest.DicomApplicationContext;
    public required IReadOnlyList<PresentationContextResult> PresentationContexts { get; init; }
    public required UserInformation UserInformation { get; init; }
}
