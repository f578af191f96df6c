using System.Globalization;
using CathLab.Station.Protocol;

namespace CathLab.Console.Commands;

/// <summary>How the console writes the station's replies: one line each, invariant culture, ASCII only.</summary>
public static class StationText
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>The live status line: exposure, technique, dose rate, cumulative dose, tube heat, fluoro time (with
    /// the 5-minute alert), frames recorded and publishing progress.</summary>
    public static string Status(StatusReply s)
    {
        var t = s.Technique ?? new Technique();
        string exam = s.Exam is null ? "no exam" : $"exam {s.Exam.ExamId}";
        string protocol = s.HasSelectedProtocol ? s.SelectedProtocol : "-";
        string fluoro = Clock(s.FluoroTimeSeconds) + (s.FluoroAlert ? " 5-MIN ALERT" : "");
        string line = string.Create(Invariant,
            $"{s.ExposureState.ToUpperInvariant()} {protocol} | {exam} | {t.Kv:0.0} kV {t.Ma:0.0} mA {t.PulseWidthMs:0.0} ms {t.PulseRate:0.#} pps"
            + $" | {s.AirKermaRateMgyPerMin:0.0} mGy/min | Ka,r {s.ReferenceAirKermaMgy:0.00} mGy DAP {s.DoseAreaProductGyCm2:0.000} Gy.cm2"
            + $" | tube {s.TubeHeatPercent:0}% | fluoro {fluoro} | frames {s.FramesRecorded}"
            + $" | PACS pending {s.ObjectsPending} committed {s.ObjectsCommitted} failed {s.ObjectsFailed}");
        if (!s.GeneratorConnected) line += " | GENERATOR NOT CONNECTED";
        if (s.HasLastAlert) line += $" | alert: {s.LastAlert}";
        if (s.HasCalibrationWarning) line += $" | CALIBRATION: {s.CalibrationWarning}";
        return line;
    }

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
