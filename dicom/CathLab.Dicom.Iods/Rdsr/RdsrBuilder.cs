using CathLab.Dicom.Data;
using CathLab.Dicom.Dictionary;
using CathLab.Dicom.Files;
using CathLab.Dicom.IO;
using CathLab.Dicom.Iods.Common;
using CathLab.Dicom.Iods.Context;
using CathLab.Dicom.Uids;
using static CathLab.Dicom.Iods.Rdsr.SrContentItem;

namespace CathLab.Dicom.Iods.Rdsr;

/// <summary>
/// Builds the X-Ray Radiation Dose SR (PS3.3 A.35.8) of one exam: TID 10001 at the root with the device observer,
/// the study as scope of accumulation, one TID 10002 accumulation for the single plane and one TID 10003 event per
/// fluoroscopy press and per recorded run (source data as TID 10003B, angles and distance as TID 10003C).
/// </summary>
public static class RdsrBuilder
{
    public const string SopClassUid = DicomUids.XRayRadiationDoseSRStorage;

    public static DicomDataSet Build(DoseReport report)
    {
        Validate(report);
        var exam = report.Exam;
        var ds = new DicomDataSet();
        CompositeModules.AddSopCommon(ds, SopClassUid, report.SopInstanceUid, report.CompletedAt);
        CompositeModules.AddPatient(ds, exam.Patient);
        CompositeModules.AddGeneralStudy(ds, exam.Study);
        CompositeModules.AddSeries(ds, exam.Series, "SR");
        ds.SetEmpty(DicomTags.ReferencedPerformedProcedureStepSequence);
        CompositeModules.AddGeneralEquipment(ds, exam.Equipment);

        // SR Document General (C.17.2)
        ds.SetString(DicomTags.InstanceNumber, report.InstanceNumber.ToString(System.Globalization.CultureInfo.InvariantCulture));
        ds.SetString(DicomTags.CompletionFlag, "COMPLETE");
        ds.SetString(DicomTags.VerificationFlag, "UNVERIFIED");
        ds.SetString(DicomTags.ContentDate, DicomDateTimeText.Date(report.CompletedAt));
        ds.SetString(DicomTags.ContentTime, DicomDateTimeText.Time(report.CompletedAt));
        ds.SetEmpty(DicomTags.PerformedProcedureCodeSequence);
        AddReferencedRequest(ds, exam.Study);
        AddEvidence(ds, exam.Study, report.Events);

        // SR Document Content (C.17.3): the root container of TID 10001
        ds.SetString(DicomTags.ValueType, "CONTAINER");
        ds.SetSequence(DicomTags.ConceptNameCodeSequence, DoseCodes.XRayRadiationDoseReport.ToItem());
        ds.SetString(DicomTags.ContinuityOfContent, "SEPARATE");
        ds.SetSequence(DicomTags.ContentTemplateSequence, new DicomDataSet()
            .SetString(DicomTags.MappingResource, "DCMR")
            .SetString(DicomTags.TemplateIdentifier, "10001"));
        ds.SetSequence(DicomTags.ContentSequence, [.. RootContent(report)]);
        return ds;
    }

    /// <summary>Builds the report and writes it as a Part 10 file (explicit VR little endian).</summary>
    public static void Save(DoseReport report, string path, string? sourceAeTitle = null) =>
        new DicomFile(Build(report), DicomTransferSyntax.ExplicitVRLittleEndian, sourceAeTitle).Save(path);

    private static void Validate(DoseReport report)
    {
        var e = report.Exam.Equipment;
        // Enhanced General Equipment (C.7.5.2) makes these type 1.
        if (string.IsNullOrWhiteSpace(e.Manufacturer) || string.IsNullOrWhiteSpace(e.ModelName) || string.IsNullOrWhiteSpace(e.DeviceSerialNumber) || string.IsNullOrWhiteSpace(e.SoftwareVersions))
            throw new ArgumentException("the dose report needs the station's manufacturer, model, serial number and software versions");
        if (!DicomUidGenerator.IsValid(e.DeviceUid)) throw new ArgumentException($"device UID '{e.DeviceUid}' is not a UID");
        if (report.Events.Count == 0) throw new ArgumentException("a dose report without irradiation events has nothing to report");
        foreach (var ev in report.Events) ev.Validate();
        var duplicate = report.Events.GroupBy(ev => ev.Uid).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"irradiation event UID {duplicate.Key} appears twice");
    }

    private static IEnumerable<DicomDataSet> RootContent(DoseReport report)
    {
        var exam = report.Exam;
        var intent = report.Intent switch
        {
            ProcedureIntent.Therapeutic => DoseCodes.TherapeuticIntent,
            ProcedureIntent.DiagnosticAndTherapeutic => DoseCodes.CombinedDiagnosticAndTherapeutic,
            _ => DoseCodes.DiagnosticIntent,
        };
        yield return Code(HasConceptModifier, DoseCodes.ProcedureReported, DoseCodes.ProjectionXRay,
            Code(HasConceptModifier, DoseCodes.HasIntent, intent));

        // TID 1002 observer context: the station is a device observer (TID 1004).
        yield return Code(HasObservationContext, DoseCodes.ObserverType, DoseCodes.Device);
        yield return UidRef(HasObservationContext, DoseCodes.DeviceObserverUid, exam.Equipment.DeviceUid);
        if (exam.Equipment.StationName.Length > 0) yield return Text(HasObservationContext, DoseCodes.DeviceObserverName, exam.Equipment.StationName);
        yield return Text(HasObservationContext, DoseCodes.DeviceObserverManufacturer, exam.Equipment.Manufacturer);
        yield return Text(HasObservationContext, DoseCodes.DeviceObserverModelName, exam.Equipment.ModelName);
        yield return Text(HasObservationContext, DoseCodes.DeviceObserverSerialNumber, exam.Equipment.DeviceSerialNumber);

        var scope = Code(HasObservationContext, DoseCodes.ScopeOfAccumulation, DoseCodes.Study,
            UidRef(HasProperties, DoseCodes.StudyInstanceUid, exam.Study.InstanceUid));
        yield return scope;

        yield return Code(Contains, DoseCodes.AcquisitionDeviceType, DoseCodes.FluoroscopyGuidedProjectionRadiographySystem);
        // The station reports source and mechanical data per event, but no detector data (TID 10003A).
        yield return Code(Contains, DoseCodes.XRayDetectorDataAvailable, DoseCodes.No);
        yield return Code(Contains, DoseCodes.XRaySourceDataAvailable, DoseCodes.Yes);
        yield return Code(Contains, DoseCodes.XRayMechanicalDataAvailable, DoseCodes.Yes);

        yield return Accumulated(report.Events);
        foreach (var ev in report.Events) yield return Event(ev);
        yield return Code(Contains, DoseCodes.SourceOfDoseInformation, DoseCodes.AutomatedDataCollection);
    }

    /// <summary>TID 10002 with TID 10004 for the single plane.</summary>
    private static DicomDataSet Accumulated(IReadOnlyList<IrradiationEvent> events)
    {
        var fluoro = events.Where(e => e.Kind == IrradiationKind.Fluoroscopy).ToList();
        var acquisitions = events.Where(e => e.Kind == IrradiationKind.Acquisition).ToList();
        var children = new List<DicomDataSet>
        {
            Code(HasConceptModifier, DoseCodes.AcquisitionPlane, DoseCodes.SinglePlane),
            Num(Contains, DoseCodes.DoseAreaProductTotal, events.Sum(e => e.DoseAreaProductGym2), UcumUnits.GrayM2),
            Num(Contains, DoseCodes.DoseRpTotal, events.Sum(e => e.DoseRpGy), UcumUnits.Gray),
        };
        if (fluoro.Count > 0)
        {
            children.Add(Num(Contains, DoseCodes.FluoroDoseAreaProductTotal, fluoro.Sum(e => e.DoseAreaProductGym2), UcumUnits.GrayM2));
            children.Add(Num(Contains, DoseCodes.FluoroDoseRpTotal, fluoro.Sum(e => e.DoseRpGy), UcumUnits.Gray));
            children.Add(Num(Contains, DoseCodes.TotalFluoroTime, fluoro.Sum(e => e.DurationSeconds), UcumUnits.Second));
        }
        children.Add(Num(Contains, DoseCodes.AcquisitionDoseAreaProductTotal, acquisitions.Sum(e => e.DoseAreaProductGym2), UcumUnits.GrayM2));
        children.Add(Num(Contains, DoseCodes.AcquisitionDoseRpTotal, acquisitions.Sum(e => e.DoseRpGy), UcumUnits.Gray));
        children.Add(Num(Contains, DoseCodes.TotalAcquisitionTime, acquisitions.Sum(e => e.DurationSeconds), UcumUnits.Second));
        children.Add(Num(Contains, DoseCodes.TotalNumberOfRadiographicFrames, acquisitions.Sum(e => e.NumberOfPulses), UcumUnits.NoUnits));
        children.Add(Code(Contains, DoseCodes.ReferencePointDefinition, DoseCodes.FifteenCmFromIsocenterTowardSource));
        return Container(Contains, DoseCodes.AccumulatedXRayDoseData, children);
    }

    /// <summary>TID 10003 with its TID 10003B (source) and TID 10003C (mechanical) rows.</summary>
    private static DicomDataSet Event(IrradiationEvent e)
    {
        var fluoro = e.Kind == IrradiationKind.Fluoroscopy;
        var c = new List<DicomDataSet>
        {
            Code(HasConceptModifier, DoseCodes.AcquisitionPlane, DoseCodes.SinglePlane),
            DateTime(Contains, DoseCodes.DateTimeStarted, e.StartedAt),
            Code(Contains, DoseCodes.IrradiationEventType, fluoro ? DoseCodes.Fluoroscopy : DoseCodes.StationaryAcquisition),
        };
        if (e.AcquisitionProtocol.Length > 0) c.Add(Text(Contains, DoseCodes.AcquisitionProtocol, e.AcquisitionProtocol));
        c.Add(UidRef(Contains, DoseCodes.IrradiationEventUid, e.Uid));
        c.Add(Num(Contains, DoseCodes.DoseAreaProduct, e.DoseAreaProductGym2, UcumUnits.GrayM2));
        c.Add(Num(Contains, DoseCodes.DoseRp, e.DoseRpGy, UcumUnits.Gray));
        c.Add(Code(Contains, DoseCodes.ReferencePointDefinition, DoseCodes.FifteenCmFromIsocenterTowardSource));
        // TID 10003C
        c.Add(Num(Contains, DoseCodes.PositionerPrimaryAngle, e.PrimaryAngleDeg, UcumUnits.Degree));
        c.Add(Num(Contains, DoseCodes.PositionerSecondaryAngle, e.SecondaryAngleDeg, UcumUnits.Degree));
        if (e.DistanceSourceToDetectorMm is { } sid) c.Add(Num(Contains, DoseCodes.DistanceSourceToDetector, sid, UcumUnits.Millimetre));
        // TID 10003B
        if (fluoro) c.Add(Code(Contains, DoseCodes.FluoroMode, DoseCodes.Pulsed));
        if (e.PulseRatePerSecond > 0) c.Add(Num(Contains, DoseCodes.PulseRate, e.PulseRatePerSecond, UcumUnits.PulsePerSecond));
        c.Add(Num(Contains, DoseCodes.NumberOfPulses, e.NumberOfPulses, UcumUnits.NoUnits));
        c.Add(Num(Contains, DoseCodes.IrradiationDuration, e.DurationSeconds, UcumUnits.Second));
        c.Add(Num(Contains, DoseCodes.Kvp, e.MeanKvp, UcumUnits.Kilovolt));
        c.Add(Num(Contains, DoseCodes.XRayTubeCurrent, e.MeanTubeCurrentMa, UcumUnits.Milliampere));
        c.Add(Num(Contains, DoseCodes.ExposureTime, e.ExposureTimeMs, UcumUnits.Millisecond));
        c.Add(Num(Contains, DoseCodes.PulseWidth, e.MeanPulseWidthMs, UcumUnits.Millisecond));
        c.Add(Num(Contains, DoseCodes.Exposure, e.ExposureOrEstimateMicroAs, UcumUnits.MicroampereSecond));
        if (e.Image is { } image) c.Add(Image(Contains, DoseCodes.AcquiredImage, image.SopClassUid, image.SopInstanceUid));
        return Container(Contains, DoseCodes.IrradiationEventXRayData, c);
    }

    /// <summary>Referenced Request Sequence (C.17.2, 1C): the requested procedure the exam performed.</summary>
    private static void AddReferencedRequest(DicomDataSet ds, StudyInfo study)
    {
        if (study.RequestedProcedure is not { } rp) return;
        var item = new DicomDataSet()
            .SetString(DicomTags.StudyInstanceUID, study.InstanceUid)
            .SetEmpty(DicomTags.ReferencedStudySequence)
            .SetString(DicomTags.AccessionNumber, study.AccessionNumber)
            .SetString(DicomTags.PlacerOrderNumberImagingServiceRequest, rp.PlacerOrderNumber)
            .SetString(DicomTags.FillerOrderNumberImagingServiceRequest, rp.FillerOrderNumber)
            .SetString(DicomTags.RequestedProcedureID, rp.Id)
            .SetString(DicomTags.RequestedProcedureDescription, rp.Description)
            .SetEmpty(DicomTags.RequestedProcedureCodeSequence);
        ds.SetSequence(DicomTags.ReferencedRequestSequence, item);
    }

    /// <summary>Current Requested Procedure Evidence Sequence (C.17.2, 1C): every image the report references, by series.</summary>
    private static void AddEvidence(DicomDataSet ds, StudyInfo study, IReadOnlyList<IrradiationEvent> events)
    {
        var images = events.Where(e => e.Image is not null).Select(e => e.Image!).ToList();
        if (images.Count == 0) return;
        var series = images.GroupBy(i => i.SeriesInstanceUid).Select(g =>
        {
            var item = new DicomDataSet().SetString(DicomTags.SeriesInstanceUID, g.Key);
            item.SetSequence(DicomTags.ReferencedSOPSequence, [.. g.Select(i => new DicomDataSet()
                .SetString(DicomTags.ReferencedSOPClassUID, i.SopClassUid)
                .SetString(DicomTags.ReferencedSOPInstanceUID, i.SopInstanceUid))]);
            return item;
        });
        var studyItem = new DicomDataSet().SetString(DicomTags.StudyInstanceUID, study.InstanceUid);
        studyItem.SetSequence(DicomTags.ReferencedSeriesSequence, [.. series]);
        ds.SetSequence(DicomTags.CurrentRequestedProcedureEvidenceSequence, studyItem);
    }
}
