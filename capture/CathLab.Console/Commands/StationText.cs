using System.Globalization;
using CathLab.Station.Protocol;

namespace CathLab.Console.Commands;

/// <summary>How the console writes the station's replies: one line each, invariant culture, ASCII only.</summary>
public static class StationText
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>The width <c>status --watch</c> keeps its line within, so that a terminal rewrites it in place.</summary>
    public const int WatchWidth = 100;

    /// <summary>The live status line: exposure state and the protocol (the exposing run's while a run exposes, else the
    /// selected one), the exam, technique, dose rate, cumulative dose, tube heat, fluoro time (with the 5-minute alert),
    /// frames recorded, publishing progress, and the generator's absence and the last alert when they apply. Within
    /// <paramref name="width"/>, the parts that matter least go first: publishing, frames, the exam, then the alert is
    /// shortened.</summary>
    public static string Status(StatusReply s, int width = int.MaxValue)
    {
        var t = s.Technique ?? new Technique();
        bool exposing = s.CurrentRun is { State: RunState.Exposing };
        string protocol = exposing ? s.CurrentRun!.Protocol : s.HasSelectedProtocol ? s.SelectedProtocol : "-";
        string fluoro = Clock(s.FluoroTimeSeconds) + (s.FluoroAlert ? " 5-MIN ALERT" : "");
        // (text, rank): the line keeps this order; the highest rank is dropped first when the line is too wide. Within a
        // width the numbers lose the space before their units.
        bool full = width == int.MaxValue;
        string u = full ? " " : "";
        var parts = new List<(string Text, int Rank)>
        {
            ($"{StateName(s.ExposureState)} {protocol}", 0),
            (s.Exam is null ? "no exam" : $"exam {s.Exam.ExamId}", 9),
        };
        if (full) parts.Add((string.Create(Invariant, $"{t.Kv:0.0} kV {t.Ma:0.0} mA {t.PulseWidthMs:0.0} ms {t.PulseRate:0.#} pps"), 4));
        else
        {
            parts.Add((string.Create(Invariant, $"{t.Kv:0.0}kV {t.Ma:0.0}mA"), 4));
            parts.Add((string.Create(Invariant, $"{t.PulseWidthMs:0.0}ms {t.PulseRate:0.#}pps"), 6));
        }
        parts.AddRange(
        [
            (string.Create(Invariant, $"{s.AirKermaRateMgyPerMin:0.0}{u}mGy/min"), 5),
            (string.Create(Invariant, $"Ka,r {s.ReferenceAirKermaMgy:0.00}{u}mGy DAP {s.DoseAreaProductGyCm2:0.000}{u}Gy.cm2"), 2),
            (string.Create(Invariant, $"tube {s.TubeHeatPercent:0}%"), 7),
            ($"fluoro {fluoro}", 3),
            (string.Create(Invariant, $"frames {s.FramesRecorded}"), 10),
            (string.Create(Invariant, $"PACS pending {s.ObjectsPending} committed {s.ObjectsCommitted} failed {s.ObjectsFailed}"), 11),
        ]);
        if (!s.GeneratorConnected) parts.Add((full ? "GENERATOR NOT CONNECTED" : "NO GENERATOR", 1));
        if (s.HasLastAlert) parts.Add(($"alert: {s.LastAlert}", 8));
        if (s.HasCalibrationWarning) parts.Add((full ? $"CALIBRATION: {s.CalibrationWarning}" : "CALIBRATION!", 1));
        return Fit(parts, width);
    }

    private static string Fit(List<(string Text, int Rank)> parts, int width)
    {
        const string Separator = " | ";
        int Length() => parts.Sum(p => p.Text.Length) + Separator.Length * (parts.Count - 1);
        while (Length() > width && parts.Count > 1)
        {
            int worst = parts.FindIndex(p => p.Rank == parts.Max(q => q.Rank));
            string text = parts[worst].Text;
            int room = text.Length - (Length() - width);
            // The alert is shortened rather than dropped while a useful part of it fits.
            if (text.StartsWith("alert: ", StringComparison.Ordinal) && room >= 24) parts[worst] = (text[..(room - 3)] + "...", -1);
            else parts.RemoveAt(worst);
        }
        string line = string.Join(Separator, parts.Select(p => p.Text));
        return line.Length <= width ? line : line[..width];
    }

    /// <summary>The exposure state as the console prints it (docs/control-api.md lists the names).</summary>
    public static string StateName(string exposureState) => exposureState switch
    {
        "Idle" => "IDLE",
        "Preparing" => "PREPARING",
        "Ready" => "READY",
        "ExposingFluoro" => "FLUORO",
        "ExposingCine" => "CINE",
        "HighLevelFluoro" => "HIGH-LEVEL-FLUORO",
        "PreparingToExpose" => "PREPARING-TO-EXPOSE",
        "Stopping" => "STOPPING",
        "Fault" => "FAULT",
        "LinkDown" => "LINK-DOWN",
        "Resetting" => "RESETTING",
        _ => exposureState.ToUpperInvariant(),
    };

    public static string Clock(double seconds)
    {
        var time = TimeSpan.FromSeconds(Math.Max(0, seconds));
        return string.Create(Invariant, $"{(int)time.TotalMinutes:00}:{time.Seconds:00}");
    }

    public static string Exam(ExamInfo e)
    {
        string patient = e.Emergency ? $"EMERGENCY patient {e.PatientName} (ID {e.PatientId}, generated)" : $"patient {e.PatientName} (ID {e.PatientId})";
        string accession = e.AccessionNumber.Length > 0 ? $", accession {e.AccessionNumber}" : "";
        return $"exam {e.ExamId} {(e.Open ? "open" : "closed")}: {patient}{accession}, {e.RecordedRuns} recorded run(s), study {e.StudyInstanceUid}";
    }

    public static string Run(RunInfo r)
    {
        string line = string.Create(Invariant,
            $"run {r.Number} {r.Protocol} ({Kind(r.Kind)}) {State(r.State)}: {r.Pulses} pulses, {r.Frames} frames, Ka,r {r.ReferenceAirKermaMgy:0.00} mGy");
        if (r.HasObjectPath) line += $", object {r.ObjectPath}";
        if (r.HasFailure) line += $", failure: {r.Failure}";
        return line;
    }

    public static string Protocol(ProtocolInfo p)
    {
        var phases = p.Phases.Select(ph => string.Create(Invariant,
            $"{ph.Name} {ph.PulseRate:0.#} pps {(ph.HasDurationSeconds ? $"{ph.DurationSeconds:0.#} s" : "while held")}"));
        string mask = p.Kind == RunKind.Dsa ? string.Create(Invariant, $", mask {p.MaskFrames} frame(s)") : "";
        return $"{p.Name,-20} {Kind(p.Kind),-7} {string.Join(", then ", phases)}{mask}  {p.Description}";
    }

    public static string OutboxItem(OutboxItem o)
    {
        string when = o.UpdatedAt is null ? "-" : o.UpdatedAt.ToDateTimeOffset().ToString("yyyy-MM-dd HH:mm:ss'Z'", Invariant);
        string line = $"#{o.Id,-5} {OutboxState(o.State),-10} {o.Destination,-16} attempts {o.Attempts,-3} {when}  {o.Description}  {o.SopInstanceUid}";
        if (o.HasLastError) line += $"  last error: {o.LastError}";
        return line;
    }

    public static string Invitation(InvitationInfo i)
    {
        string role = i.Role == InvitationRole.Consultant ? "consultant" : "observer";
        string accepted = i.AcceptedAt is null ? "" : $"  accepted {Utc(i.AcceptedAt)}{(i.HasAcceptedBy ? " by " + i.AcceptedBy : "")}";
        return $"{i.Id}  {InvitationStateText(i.State),-8} exam {i.ExamId,-12} {i.Invitee} as {role}, by {i.InvitedBy}, until {Utc(i.ExpiresAt)}{accepted}";
    }

    public static string InvitationStateText(InvitationState state) => state switch
    {
        InvitationState.Pending => "pending",
        InvitationState.Accepted => "accepted",
        InvitationState.Expired => "expired",
        InvitationState.Revoked => "revoked",
        _ => "unknown",
    };

    private static string Utc(Google.Protobuf.WellKnownTypes.Timestamp? t) => t is null ? "-" : t.ToDateTimeOffset().ToString("yyyy-MM-dd HH:mm:ss'Z'", Invariant);

    public static string Kind(RunKind kind) => kind switch
    {
        RunKind.Fluoro => "fluoro",
        RunKind.Cine => "cine",
        RunKind.Dsa => "DSA",
        _ => "unknown",
    };

    public static string State(RunState state) => state switch
    {
        RunState.Exposing => "exposing",
        RunState.Complete => "complete",
        RunState.Failed => "FAILED",
        _ => "unknown",
    };

    public static string OutboxState(OutboxItemState state) => state switch
    {
        OutboxItemState.Pending => "pending",
        OutboxItemState.Sending => "sending",
        OutboxItemState.Sent => "sent",
        OutboxItemState.Committed => "committed",
        OutboxItemState.Failed => "FAILED",
        _ => "unknown",
    };
}
