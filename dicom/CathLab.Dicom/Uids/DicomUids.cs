namespace CathLab.Dicom.Uids;

/// <summary>Well-known UIDs of PS3.6 Annex A: transfer syntaxes, SOP classes and the toolkit's own implementation UID.</summary>
public static class DicomUids
{
    // Transfer syntaxes
    public const string ImplicitVRLittleEndian = "1.2.840.10008.1.2";
    public const string ExplicitVRLittleEndian = "1.2.840.10008.1.2.1";
    public const string DeflatedExplicitVRLittleEndian = "1.2.840.10008.1.2.1.99";
    public const string ExplicitVRBigEndian = "1.2.840.10008.1.2.2";
    public const string JpegBaseline8Bit = "1.2.840.10008.1.2.4.50";
    public const string JpegLosslessSV1 = "1.2.840.10008.1.2.4.70";
    public const string JpegLsLossless = "1.2.840.10008.1.2.4.80";
    public const string JpegLsNearLossless = "1.2.840.10008.1.2.4.81";
    public const string Jpeg2000Lossless = "1.2.840.10008.1.2.4.90";
    public const string RleLossless = "1.2.840.10008.1.2.5";

    // SOP classes
    public const string Verification = "1.2.840.10008.1.1";
    public const string XRayAngiographicImageStorage = "1.2.840.10008.5.1.4.1.1.12.1";
    public const string EnhancedXAImageStorage = "1.2.840.10008.5.1.4.1.1.12.1.1";
    public const string SecondaryCaptureImageStorage = "1.2.840.10008.5.1.4.1.1.7";
    public const string XRayRadiationDoseSRStorage = "1.2.840.10008.5.1.4.1.1.88.67";
    public const string ModalityPerformedProcedureStep = "1.2.840.10008.3.1.2.3.3";
    public const string StorageCommitmentPushModel = "1.2.840.10008.1.20.1";
    /// <summary>Well-known SOP Instance UID of the Storage Commitment Push Model.</summary>
    public const string StorageCommitmentPushModelInstance = "1.2.840.10008.1.20.1.1";
    public const string ModalityWorklistInformationModelFind = "1.2.840.10008.5.1.4.31";
    public const string PatientRootQueryRetrieveFind = "1.2.840.10008.5.1.4.1.2.1.1";
    public const string StudyRootQueryRetrieveFind = "1.2.840.10008.5.1.4.1.2.2.1";

    // Application context
    public const string DicomApplicationContext = "1.2.840.10008.3.1.1.1";

    /// <summary>This toolkit's Implementation Class UID (under 2.25, derived from a fixed UUID).</summary>
    public const string ImplementationClassUid = "2.25.246515213722612233316287004542734361361";
    public const string ImplementationVersionName = "CATHLAB_1";
}
