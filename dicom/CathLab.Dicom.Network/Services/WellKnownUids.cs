namespace CathLab.Dicom.Network.Services;

/// <summary>The SOP class and transfer syntax UIDs the network services name (PS3.6 Annex A).</summary>
public static class WellKnownUids
{
    public const string Verification = "1.2.840.10008.1.1";
    public const string ModalityWorklistFind = "1.2.840.10008.5.1.4.31";
    public const string ModalityPerformedProcedureStep = "1.2.840.10008.3.1.2.3.3";
    public const string StorageCommitmentPushModel = "1.2.840.10008.1.20.1";
    /// <summary>Well-known SOP instance of Storage Commitment Push Model (PS3.4 §J.3.5).</summary>
    public const string StorageCommitmentPushModelInstance = "1.2.840.10008.1.20.1.1";
    public const string XRayAngiographicImageStorage = "1.2.840.10008.5.1.4.1.1.12.1";
    public const string SecondaryCaptureImageStorage = "1.2.840.10008.5.1.4.1.1.7";
    /// <summary>Every storage SOP class sits under this root (PS3.4 §B.5).</summary>
    public const string StorageSopClassRoot = "1.2.840.10008.5.1.4.1.1.";

    public const string ImplicitVrLittleEndian = "1.2.840.10008.1.2";
    public const string ExplicitVrLittleEndian = "1.2.840.10008.1.2.1";
    public const string ExplicitVrBigEndian = "1.2.840.10008.1.2.2";
    public const string DeflatedExplicitVrLittleEndian = "1.2.840.10008.1.2.1.99";

    public static readonly IReadOnlyList<string> UncompressedTransferSyntaxes = [ExplicitVrLittleEndian, ImplicitVrLittleEndian];
}
