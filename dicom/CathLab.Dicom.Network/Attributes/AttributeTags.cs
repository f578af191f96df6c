namespace CathLab.Dicom.Network.Attributes;

/// <summary>The data element tags the worklist, MPPS and storage commitment services name (PS3.6), as group&lt;&lt;16 | element.</summary>
public static class AttributeTags
{
    public const uint SpecificCharacterSet = 0x0008_0005;
    public const uint SopClassUid = 0x0008_0016;
    public const uint SopInstanceUid = 0x0008_0018;
    public const uint StudyDate = 0x0008_0020;
    public const uint AccessionNumber = 0x0008_0050;
    public const uint Modality = 0x0008_0060;
    public const uint ReferringPhysicianName = 0x0008_0090;
    public const uint ProcedureCodeSequence = 0x0008_1032;
    public const uint ReferencedStudySequence = 0x0008_1110;
    public const uint ReferencedPatientSequence = 0x0008_1120;
    public const uint ReferencedImageSequence = 0x0008_1140;
    public const uint FailedSopSequence = 0x0008_1198;
    public const uint ReferencedSopSequence = 0x0008_1199;
    public const uint ReferencedSopClassUid = 0x0008_1150;
    public const uint ReferencedSopInstanceUid = 0x0008_1155;
    public const uint FailureReason = 0x0008_1197;
    public const uint PatientName = 0x0010_0010;
    public const uint PatientId = 0x0010_0020;
    public const uint PatientBirthDate = 0x0010_0030;
    public const uint PatientSex = 0x0010_0040;
    public const uint StudyInstanceUid = 0x0020_000D;
    public const uint SeriesInstanceUid = 0x0020_000E;
    public const uint StudyId = 0x0020_0010;
    public const uint RequestedProcedureDescription = 0x0032_1060;
    public const uint ScheduledStationAeTitle = 0x0040_0001;
    public const uint ScheduledProcedureStepStartDate = 0x0040_0002;
    public const uint ScheduledProcedureStepStartTime = 0x0040_0003;
    public const uint ScheduledPerformingPhysicianName = 0x0040_0006;
    public const uint ScheduledProcedureStepDescription = 0x0040_0007;
    public const uint ScheduledProcedureStepId = 0x0040_0009;
    public const uint ScheduledProcedureStepSequence = 0x0040_0100;
    public const uint PerformedStationAeTitle = 0x0040_0241;
    public const uint PerformedStationName = 0x0040_0242;
    public const uint PerformedLocation = 0x0040_0243;
    public const uint PerformedProcedureStepStartDate = 0x0040_0244;
    public const uint PerformedProcedureStepStartTime = 0x0040_0245;
    public const uint PerformedProcedureStepEndDate = 0x0040_0250;
    public const uint PerformedProcedureStepEndTime = 0x0040_0251;
    public const uint PerformedProcedureStepStatus = 0x0040_0252;
    public const uint PerformedProcedureStepId = 0x0040_0253;
    public const uint PerformedProcedureStepDescription = 0x0040_0254;
    public const uint PerformedProcedureTypeDescription = 0x0040_0255;
    public const uint ScheduledStepAttributesSequence = 0x0040_0270;
    public const uint PerformedSeriesSequence = 0x0040_0340;
    public const uint RequestedProcedureId = 0x0040_1001;
    public const uint TransactionUid = 0x0008_1195;
}
