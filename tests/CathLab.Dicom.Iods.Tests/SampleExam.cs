using CathLab.Dicom.Iods.Context;
using CathLab.Dicom.Iods.Xa;
using CathLab.Dicom.IO;
using CathLab.Dicom.Uids;

namespace CathLab.Dicom.Iods.Tests;

/// <summary>An exam, runs and synthetic frames whose pixels and checksums the tests know.</summary>
internal static class SampleExam
{
    public static readonly DateTime Start = new(2026, 11, 24, 9, 30, 0, DateTimeKind.Local);

    public static ExamContext Context(string seriesUid) => new(
        new PatientInfo("Doe^Jane", "PID-0042", new DateOnly(1961, 3, 14), "F"),
        new StudyInfo(DicomUidGenerator.NewUid(), Start)
        {
            AccessionNumber = "ACC-7",
            ReferringPhysicianName = "House^Gregory",
            StudyId = "S17",
            RequestedProcedure = new RequestedProcedure("RP-1", "Coronary angiography") { ScheduledProcedureStepId = "SPS-1", PlacerOrderNumber = "PO-9" },
        },
        new SeriesInfo(seriesUid, 3) { Description = "LCA cine", BodyPartExamined = "HEART" },
        new EquipmentInfo("CathLab One", "LAB1", "cathlab 0.1", "SN-0001", "2.25.118829112347238917243128744"));

    public static XaRunSettings Run(int size = 512, int bits = 12, DicomTransferSyntax? syntax = null, DsaMask? mask = null, ContrastInjection? contrast = null) => new()
    {
        SopInstanceUid = DicomUidGenerator.NewUid(),
        InstanceNumber = 1,
        AcquisitionStartedAt = Start.AddMinutes(5),
        Rows = size,
        Columns = size,
        DetectorBits = bits,
        NominalFrameTimeMs = 1000.0 / 15,
        FieldSizeMm = 250,
        DistanceSourceToDetectorMm = 1100,
        DistanceSourceToPatientMm = 780,
        IrradiationEventUid = DicomUidGenerator.NewUid(),
        TransferSyntax = syntax ?? DicomTransferSyntax.ExplicitVRLittleEndian,
        Mask = mask,
        Contrast = contrast,
        ExpectedMaxFrames = 256,
    };

    /// <summary>Frame i: a gradient plus i, within <paramref name="bits"/> bits, with runs RLE can compress.</summary>
    public static void FillFrame(Span<byte> frame, int size, int index, int bits)
    {
        var max = (1 << bits) - 1;
        if (bits == 8)
        {
            for (var y = 0; y < size; y++)
                for (var x = 0; x < size; x++) frame[y * size + x] = (byte)((x / 4 + y / 8 + index * 3) & max);
            return;
        }
        var px = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(frame);
        for (var y = 0; y < size; y++)
            for (var x = 0; x < size; x++) px[y * size + x] = (ushort)((x * 3 + y * 5 + index * 17 + (x / 32) * (y / 32)) & max);
    }

    /// <summary>The same checksum the pydicom script computes: sum of pixel values mod 2^32, per frame.</summary>
    public static uint Checksum(ReadOnlySpan<byte> frame, int bits)
    {
        uint sum = 0;
        if (bits == 8)
            foreach (var b in frame) sum += b;
        else
            foreach (var v in System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(frame)) sum += v;
        return sum;
    }

    public static XaFrameRecord Record(int index, double intervalMs = 1000.0 / 15, double primary = 30, double secondary = 20, double primaryStep = 0) => new(
        Start.AddMinutes(5).AddMilliseconds(index * intervalMs), 78 + index % 3, 400 + 10 * (index % 2), 6.5, primary + primaryStep * index, secondary);
}
