namespace CathLab.Dicom.Iods.Rdsr;

/// <summary>
/// The concepts of the X-Ray Radiation Dose SR (PS3.16 TID 10001, 10002, 10003, 10003B, 10003C) that the station
/// writes. Values and meanings were checked against the DCM coding scheme as published in PS3.16 (dcmtk's code
/// table generated from it) and the SCT/DCM context groups that pydicom ships from PS3.16.
/// </summary>
public static class DoseCodes
{
    private static CodedConcept Dcm(string value, string meaning) => new(value, "DCM", meaning);
    private static CodedConcept Sct(string value, string meaning) => new(value, "SCT", meaning);

    // TID 10001 Projection X-Ray Radiation Dose
    public static readonly CodedConcept XRayRadiationDoseReport = Dcm("113701", "X-Ray Radiation Dose Report");
    public static readonly CodedConcept ProcedureReported = Dcm("121058", "Procedure reported");
    public static readonly CodedConcept ProjectionXRay = Dcm("113704", "Projection X-Ray");
    public static readonly CodedConcept HasIntent = Sct("363703001", "Has Intent");
    public static readonly CodedConcept DiagnosticIntent = Sct("261004008", "Diagnostic Intent");
    public static readonly CodedConcept TherapeuticIntent = Sct("262202000", "Therapeutic Intent");
    public static readonly CodedConcept CombinedDiagnosticAndTherapeutic = Sct("371931008", "Combined Diagnostic and Therapeutic Procedure");
    public static readonly CodedConcept AcquisitionDeviceType = Dcm("122142", "Acquisition Device Type");
    public static readonly CodedConcept FluoroscopyGuidedProjectionRadiographySystem = Dcm("113957", "Fluoroscopy-Guided Projection Radiography System");
    public static readonly CodedConcept ScopeOfAccumulation = Dcm("113705", "Scope of Accumulation");
    public static readonly CodedConcept Study = Dcm("113014", "Study");
    public static readonly CodedConcept StudyInstanceUid = Dcm("110180", "Study Instance UID");
    public static readonly CodedConcept XRayDetectorDataAvailable = Dcm("113945", "X-Ray Detector Data Available");
    public static readonly CodedConcept XRaySourceDataAvailable = Dcm("113943", "X-Ray Source Data Available");
    public static readonly CodedConcept XRayMechanicalDataAvailable = Dcm("113944", "X-Ray Mechanical Data Available");
    public static readonly CodedConcept Yes = Sct("373066001", "Yes");
    public static readonly CodedConcept No = Sct("373067005", "No");
    public static readonly CodedConcept SourceOfDoseInformation = Dcm("113854", "Source of Dose Information");
    public static readonly CodedConcept AutomatedDataCollection = Dcm("113856", "Automated Data Collection");

    // TID 1002 / 1004 observer context (device observer)
    public static readonly CodedConcept ObserverType = Dcm("121005", "Observer Type");
    public static readonly CodedConcept Device = Dcm("121007", "Device");
    public static readonly CodedConcept DeviceObserverUid = Dcm("121012", "Device Observer UID");
    public static readonly CodedConcept DeviceObserverName = Dcm("121013", "Device Observer Name");
    public static readonly CodedConcept DeviceObserverManufacturer = Dcm("121014", "Device Observer Manufacturer");
    public static readonly CodedConcept DeviceObserverModelName = Dcm("121015", "Device Observer Model Name");
    public static readonly CodedConcept DeviceObserverSerialNumber = Dcm("121016", "Device Observer Serial Number");

    // TID 10002 Accumulated X-Ray Dose, TID 10004 Accumulated Projection X-Ray Dose
    public static readonly CodedConcept AccumulatedXRayDoseData = Dcm("113702", "Accumulated X-Ray Dose Data");
    public static readonly CodedConcept AcquisitionPlane = Dcm("113764", "Acquisition Plane");
    public static readonly CodedConcept SinglePlane = Dcm("113622", "Single Plane");
    public static readonly CodedConcept DoseAreaProductTotal = Dcm("113722", "Dose Area Product Total");
    public static readonly CodedConcept DoseRpTotal = Dcm("113725", "Dose (RP) Total");
    public static readonly CodedConcept FluoroDoseAreaProductTotal = Dcm("113726", "Fluoro Dose Area Product Total");
    public static readonly CodedConcept FluoroDoseRpTotal = Dcm("113728", "Fluoro Dose (RP) Total");
    public static readonly CodedConcept TotalFluoroTime = Dcm("113730", "Total Fluoro Time");
    public static readonly CodedConcept AcquisitionDoseAreaProductTotal = Dcm("113727", "Acquisition Dose Area Product Total");
    public static readonly CodedConcept AcquisitionDoseRpTotal = Dcm("113729", "Acquisition Dose (RP) Total");
    public static readonly CodedConcept TotalAcquisitionTime = Dcm("113855", "Total Acquisition Time");
    public static readonly CodedConcept TotalNumberOfRadiographicFrames = Dcm("113731", "Total Number of Radiographic Frames");
    public static readonly CodedConcept ReferencePointDefinition = Dcm("113780", "Reference Point Definition");
    public static readonly CodedConcept FifteenCmFromIsocenterTowardSource = Dcm("113860", "15cm from Isocenter toward Source");

    // TID 10003 Irradiation Event X-Ray Data, 10003B source data, 10003C mechanical data
    public static readonly CodedConcept IrradiationEventXRayData = Dcm("113706", "Irradiation Event X-Ray Data");
    public static readonly CodedConcept DateTimeStarted = Dcm("111526", "DateTime Started");
    public static readonly CodedConcept IrradiationEventType = Dcm("113721", "Irradiation Event Type");
    public static readonly CodedConcept Fluoroscopy = Sct("44491008", "Fluoroscopy");
    public static readonly CodedConcept StationaryAcquisition = Dcm("113611", "Stationary Acquisition");
    public static readonly CodedConcept AcquisitionProtocol = Dcm("125203", "Acquisition Protocol");
    public static readonly CodedConcept IrradiationEventUid = Dcm("113769", "Irradiation Event UID");
    public static readonly CodedConcept DoseAreaProduct = Dcm("122130", "Dose Area Product");
    public static readonly CodedConcept DoseRp = Dcm("113738", "Dose (RP)");
    public static readonly CodedConcept PositionerPrimaryAngle = Dcm("112011", "Positioner Primary Angle");
    public static readonly CodedConcept PositionerSecondaryAngle = Dcm("112012", "Positioner Secondary Angle");
    public static readonly CodedConcept DistanceSourceToDetector = Dcm("113750", "Distance Source to Detector");
    public static readonly CodedConcept FluoroMode = Dcm("113732", "Fluoro Mode");
    public static readonly CodedConcept Pulsed = Dcm("113631", "Pulsed");
    public static readonly CodedConcept PulseRate = Dcm("113791", "Pulse Rate");
    public static readonly CodedConcept NumberOfPulses = Dcm("113768", "Number of Pulses");
    public static readonly CodedConcept IrradiationDuration = Dcm("113742", "Irradiation Duration");
    public static readonly CodedConcept Kvp = Dcm("113733", "KVP");
    public static readonly CodedConcept XRayTubeCurrent = Dcm("113734", "X-Ray Tube Current");

    /// <summary>(113824, DCM) — the current Exposure Time concept; (113735, DCM, "Exposure Time") is retired.</summary>
    public static readonly CodedConcept ExposureTime = Dcm("113824", "Exposure Time");
    public static readonly CodedConcept PulseWidth = Dcm("113793", "Pulse Width");
    public static readonly CodedConcept Exposure = Dcm("113736", "Exposure");
    public static readonly CodedConcept AcquiredImage = Dcm("113795", "Acquired Image");
}
