using CathLab.Acquisition.Protocols;
using CathLab.Publishing.Journal;
using Timestamp = Google.Protobuf.WellKnownTypes.Timestamp;
using Proto = CathLab.Station.Protocol;

namespace CathLab.Station.Control;

/// <summary>Turns the station's views into the control API's messages (the one place that knows both shapes).</summary>
public static class ControlReplies
{
    public static Proto.StatusReply Status(StationStatus s)
    {
        var reply = new Proto.StatusReply
        {
            ExposureState = s.ExposureState,
            Exam = s.Exam is null ? null : Exam(s.Exam),
            CurrentRun = s.CurrentRun is null ? null : Run(s.CurrentRun),
            Technique = new Proto.Technique { Kv = s.Kv, Ma = s.Ma, PulseWidthMs = s.PulseWidthMs, PulseRate = s.PulseRate },
            AirKermaRateMgyPerMin = s.AirKermaRateMilliGrayPerMinute,
            ReferenceAirKermaMgy = s.ReferenceAirKermaMilliGray,
            DoseAreaProductGyCm2 = s.DoseAreaProductGyCm2,
            FluoroTimeSeconds = s.FluoroTime.TotalSeconds,
            FluoroAlert = s.FluoroAlert,
            TubeHeatPercent = s.TubeHeatPercent,
            FramesRecorded = s.FramesRecorded,
            ObjectsPending = s.ObjectsPending,
            ObjectsCommitted = s.ObjectsCommitted,
            ObjectsFailed = s.ObjectsFailed,
            GeneratorConnected = s.GeneratorConnected,
        };
        if (s.SelectedProtocol is not null) reply.SelectedProtocol = s.SelectedProtocol;
        if (s.LastAlert is not null) reply.LastAlert = s.LastAlert;
        return reply;
    }

    public static Proto.WorklistEntry WorklistEntry(WorklistEntryView e)
    {
        var entry = new Proto.WorklistEntry
        {
            Id = e.Id,
            PatientName = e.PatientName,
            PatientId = e.PatientId,
            AccessionNumber = e.AccessionNumber,
            RequestedProcedure = e.RequestedProcedure,
            StudyInstanceUid = e.StudyInstanceUid,
        };
        if (e.ScheduledStart is { } start) entry.ScheduledStart = Timestamp.FromDateTime(DateTime.SpecifyKind(start, DateTimeKind.Local).ToUniversalTime());
        return entry;
    }

    public static Proto.ExamInfo Exam(ExamView e) => new()
    {
        ExamId = e.ExamId,
        StudyInstanceUid = e.StudyInstanceUid,
        PatientName = e.PatientName,
        PatientId = e.PatientId,
        AccessionNumber = e.AccessionNumber,
        Emergency = e.Emergency,
        Open = e.Open,
        RecordedRuns = e.RecordedRuns,
    };

    public static Proto.RunInfo Run(RunView r)
    {
        var run = new Proto.RunInfo
        {
            Number = r.Number,
            Protocol = r.Protocol,
            Kind = Enum.TryParse<RunKind>(r.Kind, ignoreCase: true, out var kind) ? Kind(kind) : Proto.RunKind.Unspecified,
            State = r.State switch
            {
                RunState.Exposing => Proto.RunState.Exposing,
                RunState.Complete => Proto.RunState.Complete,
                RunState.Failed => Proto.RunState.Failed,
                _ => Proto.RunState.Unspecified,
            },
            Pulses = r.Pulses,
            Frames = r.Frames,
            ReferenceAirKermaMgy = r.ReferenceAirKermaMilliGray,
        };
        if (r.ObjectPath is not null) run.ObjectPath = r.ObjectPath;
        if (r.Failure is not null) run.Failure = r.Failure;
        return run;
    }

    public static Proto.RunKind Kind(RunKind kind) => kind switch
    {
        RunKind.Fluoro => Proto.RunKind.Fluoro,
        RunKind.Cine => Proto.RunKind.Cine,
        RunKind.Dsa => Proto.RunKind.Dsa,
        _ => Proto.RunKind.Unspecified,
    };

    public static Proto.ProtocolInfo Protocol(AcquisitionProtocol p)
    {
        var info = new Proto.ProtocolInfo { Name = p.Name, Description = p.Description, Kind = Kind(p.Kind), MaskFrames = p.MaskFrames, Recorded = p.Recorded };
        foreach (var phase in p.Phases)
        {
            var ph = new Proto.Phase { Name = phase.Name, PulseRate = phase.PulseRate };
            if (phase.Duration is { } d) ph.DurationSeconds = d.TotalSeconds;
            info.Phases.Add(ph);
        }
        return info;
    }

    public static Proto.OutboxItem OutboxItem(OutboxItemView o)
    {
        var item = new Proto.OutboxItem
        {
            Id = o.Id,
            SopInstanceUid = o.SopInstanceUid,
            Description = o.Description,
            Destination = o.Destination,
            State = o.State switch
            {
                DeliveryState.Pending => Proto.OutboxItemState.Pending,
                DeliveryState.Sending => Proto.OutboxItemState.Sending,
                DeliveryState.Sent => Proto.OutboxItemState.Sent,
                DeliveryState.Committed => Proto.OutboxItemState.Committed,
                DeliveryState.Failed => Proto.OutboxItemState.Failed,
                _ => Proto.OutboxItemState.Unspecified,
            },
            Attempts = o.Attempts,
            UpdatedAt = Timestamp.FromDateTimeOffset(o.UpdatedAt),
        };
        if (o.LastError is not null) item.LastError = o.LastError;
        return item;
    }
}
