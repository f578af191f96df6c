using System.Globalization;
using CathLab.Dicom.Data;
using CathLab.Dicom.Dictionary;
using CathLab.Dicom.Iods.Common;
using CathLab.Dicom.Iods.Context;
using CathLab.Dicom.Uids;

namespace CathLab.Dicom.Iods.Xa;

/// <summary>
/// Builds every attribute of an X-Ray Angiographic Image (PS3.3 A.14) but Pixel Data, from the exam context,
/// the run settings and what the frames reported. Classic XA has one technique per object (X-Ray Acquisition
/// module, C.8.7.2), so per-frame kV/mA/pulse width become run averages and totals; per-frame time goes to Frame
/// Time Vector when intervals vary, and per-frame C-arm motion to the positioner angle increments.
/// </summary>
public static class XaImageHeader
{
    public const string SopClassUid = DicomUids.XRayAngiographicImageStorage;

    public static DicomDataSet Build(ExamContext exam, XaRunSettings run, XaRunStatistics frames)
    {
        var ds = new DicomDataSet();
        var started = frames.Frames > 0 ? frames.FirstTimestamp : run.AcquisitionStartedAt;
        CompositeModules.AddSopCommon(ds, SopClassUid, run.SopInstanceUid, run.AcquisitionStartedAt);
        CompositeModules.AddPatient(ds, exam.Patient);
        CompositeModules.AddGeneralStudy(ds, exam.Study);
        CompositeModules.AddSeries(ds, exam.Series, "XA");
        CompositeModules.AddRequestAttributes(ds, exam.Study);
        if (exam.Series.BodyPartExamined.Length > 0) ds.SetString(DicomTags.BodyPartExamined, exam.Series.BodyPartExamined);
        if (exam.Series.NeedsLaterality) ds.SetString(DicomTags.Laterality, exam.Series.Laterality);
        CompositeModules.AddGeneralEquipment(ds, exam.Equipment);
        AddGeneralImage(ds, run, started);
        if (run.Calibration is { } calibration) AddCalibration(ds, calibration);
        AddImagePixel(ds, run, frames.Frames);
        AddCine(ds, run, frames);
        AddXRayAcquisition(ds, run, frames);
        AddPositioner(ds, run, frames);
        if (run.Contrast is { } contrast) AddContrast(ds, contrast);
        if (run.Mask is { } mask) AddMask(ds, mask, frames.Frames);
        return ds;
    }

    private static void AddGeneralImage(DicomDataSet ds, XaRunSettings run, DateTime started)
    {
        // X-Ray Image module: ORIGINAL\PRIMARY and the plane (C.8.7.1.1.1).
        ds.SetString(DicomTags.ImageType, "ORIGINAL", "PRIMARY", "SINGLE PLANE");
        ds.SetString(DicomTags.InstanceNumber, Int(run.InstanceNumber));
        ds.SetString(DicomTags.PatientOrientation, "");
        ds.SetString(DicomTags.ContentDate, DicomDateTimeText.Date(started));
        ds.SetString(DicomTags.ContentTime, DicomDateTimeText.Time(started));
        ds.SetString(DicomTags.AcquisitionDate, DicomDateTimeText.Date(started));
        ds.SetString(DicomTags.AcquisitionTime, DicomDateTimeText.Time(started));
        ds.SetString(DicomTags.AcquisitionDateTime, DicomDateTimeText.DateTime(started));
        ds.SetString(DicomTags.IrradiationEventUID, run.IrradiationEventUid);
        ds.SetString(DicomTags.LossyImageCompression, "00");
    }

    private static void AddCalibration(DicomDataSet ds, XaDetectorCalibration calibration)
    {
        if (calibration.CalibratedAt is { } at)
        {
            ds.SetString(DicomTags.DateOfLastCalibration, DicomDateTimeText.Date(at));
            ds.SetString(DicomTags.TimeOfLastCalibration, DicomDateTimeText.Time(at));
        }
        if (calibration.ProcessingDescription.Length > 0)
            ds.SetString(DicomTags.AcquisitionDeviceProcessingDescription, calibration.ProcessingDescription.Length <= 64 ? calibration.ProcessingDescription : calibration.ProcessingDescription[..64]);
    }

    private static void AddImagePixel(DicomDataSet ds, XaRunSettings run, int frames)
    {
        ds.SetInt(DicomTags.SamplesPerPixel, 1);
        ds.SetString(DicomTags.PhotometricInterpretation, "MONOCHROME2");
        ds.SetInt(DicomTags.Rows, run.Rows);
        ds.SetInt(DicomTags.Columns, run.Columns);
        ds.SetInt(DicomTags.BitsAllocated, run.BitsAllocated);
        ds.SetInt(DicomTags.BitsStored, run.BitsStored);
        ds.SetInt(DicomTags.HighBit, run.BitsStored - 1);
        ds.SetInt(DicomTags.PixelRepresentation, 0);
        ds.SetString(DicomTags.PixelIntensityRelationship, run.PixelIntensity.ToString().ToUpperInvariant());
        ds.SetString(DicomTags.NumberOfFrames, Int(Math.Max(frames, 1)));
    }

    private static void AddCine(DicomDataSet ds, XaRunSettings run, XaRunStatistics frames)
    {
        var mean = frames.MeanIntervalMs ?? run.NominalFrameTimeMs;
        var useVector = frames.Frames > 1 && !frames.IntervalsConstant(run.FrameTimeToleranceMs);
        if (useVector)
        {
            var values = new string[frames.Frames];
            var intervals = frames.IntervalsMs;
            for (var i = 0; i < values.Length; i++) values[i] = Ms(intervals[i]);
            ds.SetString(DicomTags.FrameTimeVector, DicomVR.DS, values);
        }
        else
        {
            ds.SetString(DicomTags.FrameTime, DicomVR.DS, Ms(mean));
        }
        // XA's Frame Increment Pointer enumerates only Frame Time and Frame Time Vector (dciodvfy refuses the angle
        // increments there), so the increments are written without being pointed at.
        ds.SetTags(DicomTags.FrameIncrementPointer, useVector ? DicomTags.FrameTimeVector : DicomTags.FrameTime);
        var rate = (int)Math.Max(1, Math.Round(1000.0 / mean));
        ds.SetString(DicomTags.CineRate, Int(rate));
        ds.SetString(DicomTags.RecommendedDisplayFrameRate, Int(rate));
        ds.SetInt(DicomTags.PreferredPlaybackSequencing, 0);
        if (frames.Frames > 0)
        {
            ds.SetString(DicomTags.StartTrim, Int(1));
            ds.SetString(DicomTags.StopTrim, Int(frames.Frames));
            ds.SetString(DicomTags.ActualFrameDuration, Int((int)Math.Round(frames.MeanPulseWidthMs)));
            var seconds = ((frames.LastTimestamp - frames.FirstTimestamp).TotalMilliseconds + mean) / 1000.0;
            ds.SetString(DicomTags.EffectiveDuration, DicomVR.DS, Number(seconds, 3));
        }
    }

    private static void AddXRayAcquisition(DicomDataSet ds, XaRunSettings run, XaRunStatistics frames)
    {
        ds.SetString(DicomTags.KVP, DicomVR.DS, frames.Frames > 0 ? Number(frames.MeanKvp, 1) : "");
        ds.SetString(DicomTags.RadiationSetting, run.RadiationSetting == RadiationSetting.Gr ? "GR" : "SC");
        ds.SetString(DicomTags.RadiationMode, "PULSED");
        if (frames.Frames > 0)
        {
            ds.SetString(DicomTags.XRayTubeCurrent, Int((int)Math.Round(frames.MeanTubeCurrentMa)));
            ds.SetString(DicomTags.ExposureTime, Int((int)Math.Round(frames.PulseWidthSumMs)));
            ds.SetString(DicomTags.Exposure, Int((int)Math.Round(frames.ExposureMicroAs / 1000.0)));
            ds.SetString(DicomTags.ExposureInuAs, Int((int)Math.Round(frames.ExposureMicroAs)));
            ds.SetString(DicomTags.AveragePulseWidth, DicomVR.DS, Number(frames.MeanPulseWidthMs, 2));
        }
        else
        {
            ds.SetString(DicomTags.XRayTubeCurrent, "");
            ds.SetString(DicomTags.ExposureTime, "");
            ds.SetString(DicomTags.Exposure, "");
        }
        if (run.FieldSizeMm is { } field) ds.SetString(DicomTags.IntensifierSize, DicomVR.DS, Number(field, 1));
        ds.SetString(DicomTags.FieldOfViewShape, run.FieldOfViewShape);
        if (run.ImagerPixelSpacingMm is { } pitch) ds.SetString(DicomTags.ImagerPixelSpacing, DicomVR.DS, Number(pitch, 4), Number(pitch, 4));
    }

    private static void AddPositioner(DicomDataSet ds, XaRunSettings run, XaRunStatistics frames)
    {
        if (run.DistanceSourceToDetectorMm is { } sid) ds.SetString(DicomTags.DistanceSourceToDetector, DicomVR.DS, Number(sid, 1));
        if (run.DistanceSourceToPatientMm is { } sod)
        {
            ds.SetString(DicomTags.DistanceSourceToPatient, DicomVR.DS, Number(sod, 1));
            if (run.DistanceSourceToDetectorMm is { } d && sod > 0)
                ds.SetString(DicomTags.EstimatedRadiographicMagnificationFactor, DicomVR.DS, Number(d / sod, 4));
        }
        var moved = frames.PositionerMoved;
        ds.SetString(DicomTags.PositionerMotion, moved ? "DYNAMIC" : "STATIC");
        var primary = frames.PrimaryAngles;
        var secondary = frames.SecondaryAngles;
        ds.SetString(DicomTags.PositionerPrimaryAngle, DicomVR.DS, frames.Frames > 0 ? Number(primary[0], 1) : "");
        ds.SetString(DicomTags.PositionerSecondaryAngle, DicomVR.DS, frames.Frames > 0 ? Number(secondary[0], 1) : "");
        if (!moved) return;
        // One increment per frame: the change from the previous frame, 0 for the first (as Frame Time Vector).
        var p = new string[frames.Frames];
        var s = new string[frames.Frames];
        p[0] = s[0] = "0";
        for (var i = 1; i < p.Length; i++)
        {
            p[i] = Number(primary[i] - primary[i - 1], 2);
            s[i] = Number(secondary[i] - secondary[i - 1], 2);
        }
        ds.SetString(DicomTags.PositionerPrimaryAngleIncrement, DicomVR.DS, p);
        ds.SetString(DicomTags.PositionerSecondaryAngleIncrement, DicomVR.DS, s);
    }

    private static void AddContrast(DicomDataSet ds, ContrastInjection contrast)
    {
        ds.SetString(DicomTags.ContrastBolusAgent, contrast.Agent);
        if (contrast.Route.Length > 0) ds.SetString(DicomTags.ContrastBolusRoute, contrast.Route);
        if (contrast.VolumeMl is { } ml) ds.SetString(DicomTags.ContrastBolusVolume, DicomVR.DS, Number(ml, 1));
    }

    /// <summary>Writes (or replaces) the Mask module of an XA data set of <paramref name="frames"/> frames, as a recorded
    /// run has it; used to re-issue a stored run with other mask frames.</summary>
    public static void SetMask(DicomDataSet ds, DsaMask mask, int frames) => AddMask(ds, mask, frames);

    private static void AddMask(DicomDataSet ds, DsaMask mask, int frames)
    {
        var last = Math.Max(frames, 1);
        var range = mask.ApplicableFrames ?? (mask.MaskFrameNumbers.Max() + 1, last);
        var item = new DicomDataSet()
            .SetString(DicomTags.MaskOperation, "AVG_SUB")
            .SetUInt16(DicomTags.ApplicableFrameRange, checked((ushort)range.First), checked((ushort)Math.Min(range.Last, last)))
            .SetUInt16(DicomTags.MaskFrameNumbers, [.. mask.MaskFrameNumbers.Select(n => checked((ushort)n))]);
        if (mask.SubPixelShift is { } shift) item.SetDouble(DicomTags.MaskSubPixelShift, shift.Rows, shift.Columns);
        ds.SetSequence(DicomTags.MaskSubtractionSequence, item);
        ds.SetString(DicomTags.RecommendedViewingMode, "SUB");
    }

    private static string Int(int v) => v.ToString(CultureInfo.InvariantCulture);

    private static string Ms(double ms) => Number(ms, 3);

    private static string Number(double v, int decimals)
    {
        var r = Math.Round(v, decimals, MidpointRounding.AwayFromZero);
        if (r == 0) r = 0; // no "-0"
        return r.ToString("0." + new string('#', decimals), CultureInfo.InvariantCulture);
    }
}
