using CathLab.Publishing.Journal;

namespace CathLab.Station.Control;

/// <summary>Who and what the exam is for. With no worklist item, <see cref="PatientId"/> and <see cref="PatientName"/>
/// come from the technician; an empty patient makes an emergency exam with a generated, clearly marked patient.</summary>
public sealed record ExamRequest(string PatientName, string PatientId, string AccessionNumber = "", string StudyDescription = "", string? WorklistItemId = null);

public sealed record ExamEnd(bool Discontinued = false, string Reason = "");

public sealed record ExamView(string ExamId, string StudyInstanceUid, string PatientName, string PatientId, string AccessionNumber, bool Emergency, bool Open, int RecordedRuns);

public enum RunState { Exposing, Complete, Failed }

/// <summary>One run as the console sees it. <see cref="ObjectPath"/> is the stored XA object of a recorded run.</summary>
public sealed record RunView(int Number, string Protocol, string Kind, RunState State, int Pulses, int Frames, double ReferenceAirKermaMilliGray, string? ObjectPath, string? Failure);

/// <summary>Everything the console's live status line shows.</summary>
public sealed record StationStatus(
    string ExposureState,
    string? SelectedProtocol,
    ExamView? Exam,
    RunView? CurrentRun,
    double Kv,
    double Ma,
    double PulseWidthMs,
    double PulseRate,
    double AirKermaRateMilliGrayPerMinute,
    double ReferenceAirKermaMilliGray,
    double DoseAreaProductGyCm2,
    TimeSpan FluoroTime,
    bool FluoroAlert,
    double TubeHeatPercent,
    int FramesRecorded,
    int ObjectsPending,
    int ObjectsCommitted,
    int ObjectsFailed,
    string? LastAlert,
    bool GeneratorConnected);

public sealed record OutboxItemView(long Id, string SopInstanceUid, string Description, string Destination, DeliveryState State, int Attempts, string? LastError, DateTimeOffset UpdatedAt);

/// <summary>What to ask the worklist for: a day (today when null), and optionally a patient name (wildcards * and ?) or ID.</summary>
public sealed record WorklistQuery(DateOnly? Date = null, string? PatientName = null, string? PatientId = null);

/// <summary>One scheduled procedure step from the worklist, as the console lists it.</summary>
public sealed record WorklistEntryView(string Id, string PatientName, string PatientId, string AccessionNumber, string RequestedProcedure,
    DateTime? ScheduledStart, string StudyInstanceUid);
