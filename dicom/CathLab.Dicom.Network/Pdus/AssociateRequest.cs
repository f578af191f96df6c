namespace CathLab.Dicom.Network.Pdus;

/// <summary>A-ASSOCIATE-RQ (PS3.8 §9.3.2).</summary>
public sealed record AssociateRequest
{
    public const string DicomApplicationContext = "1.2.840.10008.3.1.1.1";

    /// <summary>The protocol-version field: one bit per upper layer version the requestor supports; bit 0 is version 1.</summary>
    public ushort ProtocolVersion { get; init; } = 1;
    public required string CalledAeTitle { get; init; }
    public required string CallingAeTitle { get; init; }
    public string ApplicationContext { get; init; } = DicomApplicationContext;
    public required IReadOnlyList<PresentationContextProposal> PresentationContexts { get; init; }
    public required UserInformation UserInformation { get; init; }
}
