using System.Globalization;
using CathLab.Dicom.Data;
using CathLab.Dicom.Dictionary;
using CathLab.Dicom.Iods.Common;
using CathLab.Dicom.Iods.Context;
using CathLab.Dicom.Iods.Rdsr;
using CathLab.Dicom.Network.Services.Mpps;
using CathLab.FirmwareBridge.Dose;
using CathLab.Workflow.Patients;

namespace CathLab.Workflow.ProcedureStep;

/// <summary>The station as the performer of procedure steps.</summary>
public sealed record PerformingStation(string AeTitle, string StationName, string Modality = "XA");

/// <summary>What the N-CREATE says about the step: who, which request (or none: unscheduled), when, and the protocol.</summary>
public sealed record ProcedureStepStart(PatientInfo Patient, StudyInfo Study, string PerformedProcedureStepId, DateTime StartedAt)
{
    /// <summary>Performed Protocol Code Sequence (0040,0260) item; empty (type 2) when not known.</summary>
    public CodedConcept? Protocol { get; init; }
}

/// <summary>
/// The MPPS data sets (PS3.4 §F.7.2.1, PS3.3 §C.4.13–C.4.16, IHE RAD SWF): the N-CREATE "IN PROGRESS" set and the
/// final N-SET "COMPLETED"/"DISCONTINUED" set with the performed series and the radiation dose.
/// </summary>
public static class MppsAttributes
{
    // Radiation Dose module attributes that dcmtk's dictionary (and so ours) lists as retired; receivers still read them.
    public static readonly DicomTag TotalTimeOfFluoroscopy = new(0x0040, 0x0300);
    public static readonly DicomTag TotalNumberOfExposures = new(0x0040, 0x0301);

    public static DicomDataSet InProgress(ProcedureStepStart start, PerformingStation station)
    {
        var study = start.Study;
        var request = study.RequestedProcedure;
        var step = new DicomDataSet()
            .SetString(DicomTags.StudyInstanceUID, study.InstanceUid)
            .SetString(DicomTags.AccessionNumber, study.AccessionNumber)
            .SetString(DicomTags.RequestedProcedureID, request?.Id ?? "")
            .SetString(DicomTags.RequestedProcedureDescription, request?.Description ?? "")
            .SetString(DicomTags.ScheduledProcedureStepID, request?.ScheduledProcedureStepId ?? "")
            .SetEmpty(DicomTags.ScheduledProcedureStepDescription);
        step.SetSequence(DicomTags.ReferencedStudySequence);
        step.SetSequence(DicomTags.ScheduledProtocolCodeSequence);
        if (request is { PlacerOrderNumber.Length: > 0 }) step.SetString(DicomTags.PlacerOrderNumberImagingServiceRequest, request.PlacerOrderNumber);

        var set = new DicomDataSet()
            .SetString(DicomTags.PatientName, start.Patient.Name)
            .SetString(DicomTags.PatientID, start.Patient.Id)
            .SetString(DicomTags.PatientBirthDate, start.Patient.BirthDate is { } b ? DicomDateTimeText.Date(b) : "")
            .SetString(DicomTags.PatientSex, start.Patient.Sex)
            .SetString(DicomTags.PerformedProcedureStepID, start.PerformedProcedureStepId)
            .SetString(DicomTags.PerformedStationAETitle, station.AeTitle)
            .SetString(DicomTags.PerformedStationName, station.StationName)
            .SetEmpty(DicomTags.PerformedLocation)
            .SetString(DicomTags.PerformedProcedureStepStartDate, DicomDateTimeText.Date(start.StartedAt))
            .SetString(DicomTags.PerformedProcedureStepStartTime, Time(start.StartedAt))
            .SetString(DicomTags.PerformedProcedureStepStatus, MppsStatus.InProgress)
            .SetString(DicomTags.PerformedProcedureStepDescription, request?.Description is { Length: > 0 } d ? d : study.Description)
            .SetEmpty(DicomTags.PerformedProcedureTypeDescription)
            .SetEmpty(DicomTags.PerformedProcedureStepEndDate)
            .SetEmpty(DicomTags.PerformedProcedureStepEndTime)
            .SetString(DicomTags.Modality, station.Modality)
            .SetString(DicomTags.StudyID, study.StudyId);
        set.SetSequence(DicomTags.ScheduledStepAttributesSequence, step);
        set.SetSequence(DicomTags.ReferencedPatientSequence);
        set.SetSequence(DicomTags.ProcedureCodeSequence);
        if (start.Protocol is { } protocol) set.SetSequence(DicomTags.PerformedProtocolCodeSequence, protocol.ToItem());
        else set.SetSequence(DicomTags.PerformedProtocolCodeSequence);
        set.SetSequence(DicomTags.PerformedSeriesSequence);
        if (EmergencyPatient.Is(start.Patient)) set.SetString(DicomTags.CommentsOnThePerformedProcedureStep, EmergencyPatient.ReconciliationNote);
        return CharacterSetDeclaration.DeclareWhereNeeded(set);
    }

    /// <summary>The closing N-SET; <paramref name="reason"/> is given for DISCONTINUED only. <paramref name="comments"/>, when
    /// given, replaces Comments on the Performed Procedure Step (the technician's words on why the exam was discontinued).</summary>
    public static DicomDataSet Final(string status, DateTime endedAt, IReadOnlyList<PerformedSeries> series, DoseTotals dose, CodedConcept? reason = null,
        string? comments = null)
    {
        if (status is not (MppsStatus.Completed or MppsStatus.Discontinued)) throw new ArgumentException($"a final status is COMPLETED or DISCONTINUED, not '{status}'");
        if (status == MppsStatus.Completed && series.Count == 0)
            throw new ArgumentException("nothing was stored in this procedure step: discontinue it instead of completing it");
        var set = new DicomDataSet()
            .SetString(DicomTags.PerformedProcedureStepStatus, status)
            .SetString(DicomTags.PerformedProcedureStepEndDate, DicomDateTimeText.Date(endedAt))
            .SetString(DicomTags.PerformedProcedureStepEndTime, Time(endedAt));
        set.SetSequence(DicomTags.PerformedSeriesSequence, [.. series.Select(SeriesItem)]);
        AddDose(set, dose);
        if (status == MppsStatus.Discontinued)
        {
            set.SetSequence(DicomTags.PerformedProcedureStepDiscontinuationReasonCodeSequence, (reason ?? DiscontinuationReason.Unspecified).ToItem());
        }
        if (!string.IsNullOrWhiteSpace(comments))
        {
            // LT holds 10240 characters.
            set.SetString(DicomTags.CommentsOnThePerformedProcedureStep, comments.Length > 10240 ? comments[..10240] : comments);
        }
        return CharacterSetDeclaration.DeclareWhereNeeded(set);
    }

    private static DicomDataSet SeriesItem(PerformedSeries s)
    {
        var item = new DicomDataSet()
            .SetEmpty(DicomTags.PerformingPhysicianName)
            .SetString(DicomTags.ProtocolName, s.ProtocolName.Length > 0 ? s.ProtocolName : "XA")
            .SetEmpty(DicomTags.OperatorsName)
            .SetString(DicomTags.SeriesInstanceUID, s.SeriesInstanceUid)
            .SetString(DicomTags.SeriesDescription, s.Description)
            .SetEmpty(DicomTags.RetrieveAETitle);
        item.SetSequence(DicomTags.ReferencedImageSequence, [.. s.Instances.Where(i => i.IsImage).Select(Reference)]);
        item.SetSequence(DicomTags.ReferencedNonImageCompositeSOPInstanceSequence, [.. s.Instances.Where(i => !i.IsImage).Select(Reference)]);
        return item;
    }

    private static DicomDataSet Reference(PerformedInstance i) => new DicomDataSet()
        .SetString(DicomTags.ReferencedSOPClassUID, i.SopClassUid)
        .SetString(DicomTags.ReferencedSOPInstanceUID, i.SopInstanceUid);

    /// <summary>Radiation Dose module (PS3.3 §C.4.16): fluoro time in s, exposures, DAP in dGy·cm², Ka,r as entrance dose in mGy.</summary>
    private static void AddDose(DicomDataSet set, DoseTotals dose)
    {
        set.SetInt(TotalTimeOfFluoroscopy, DicomVR.US, Clamp(Math.Round(dose.FluoroTime.TotalSeconds, MidpointRounding.AwayFromZero)));
        set.SetInt(TotalNumberOfExposures, DicomVR.US, Clamp(dose.Exposures));
        set.SetString(DicomTags.ImageAndFluoroscopyAreaDoseProduct, Decimal(dose.DoseAreaProductGyCm2 * 10));
        set.SetString(DicomTags.EntranceDoseInmGy, Decimal(dose.ReferenceAirKermaMilliGray));
    }

    private static int Clamp(double v) => (int)Math.Clamp(v, 0, ushort.MaxValue);

    // DS holds at most 16 characters.
    private static string Decimal(double v) => v.ToString(v >= 1e9 ? "E6" : "0.######", CultureInfo.InvariantCulture);

    private static string Time(DateTime t) => t.ToString("HHmmss", CultureInfo.InvariantCulture);
}
