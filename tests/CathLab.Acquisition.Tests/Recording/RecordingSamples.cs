using CathLab.Acquisition.Protocols;
using CathLab.Acquisition.Recording;
using CathLab.Dicom.Iods.Context;
using CathLab.Dicom.Uids;
using CathLab.FirmwareBridge.Dose;

namespace CathLab.Acquisition.Tests.Recording;

/// <summary>An exam and recording requests for the recorder's tests.</summary>
internal static class RecordingSamples
{
    public static ExamContext Exam() => new(
        new PatientInfo("Roe^Richard", "PID-0107", new DateOnly(1958, 6, 2), "M"),
        new StudyInfo(DicomUidGenerator.NewUid(), DateTime.Now) { AccessionNumber = "ACC-21", StudyId = "S21" },
        new SeriesInfo(DicomUidGenerator.NewUid(), 4) { Description = "LAO cine", BodyPartExamined = "HEART" },
        new EquipmentInfo("CathLab One", "LAB1", "cathlab 0.1", "SN-0001", "2.25.118829112347238917243128744"));

    public static RecordingRequest Request(AcquisitionProtocol protocol, int instance = 1) => new(Exam(), protocol, instance)
    {
        PrimaryAngleDeg = 30,
        SecondaryAngleDeg = 20,
        Geometry = new BeamGeometry(22, 22, 110, 70),
    };

    public static AcquisitionProtocol Cine => ProtocolCatalog.Find(ProtocolCatalog.Defaults, "cardiac-cine-15");

    public static AcquisitionProtocol Dsa(int maskFrames = 3) => new("quick-dsa", "DSA for tests", RunKind.Dsa, [new("dsa", 6)], maskFrames);
}
