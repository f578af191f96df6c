using Proto = CathLab.Station.Protocol;

namespace CathLab.Station.Control;

/// <summary>The checks a control request must pass before the station sees it; a problem is the caller's fault
/// (INVALID_ARGUMENT) and names the field. Lengths follow the DICOM value representations the values end up in
/// (PN and LO 64 characters, SH 16, AE 16), and a backslash is refused because DICOM reads it as a value separator.</summary>
public static class ControlRequestRules
{
    public const double DefaultWatchIntervalSeconds = 0.5;
    public const double MinWatchIntervalSeconds = 0.05;
    public const double MaxWatchIntervalSeconds = 60;
    public const int MaxNameLength = 64;
    public const int MaxAccessionLength = 16;
    public const int MaxAeTitleLength = 16;

    public static string? Problem(Proto.WatchStatusRequest r) =>
        r.IntervalSeconds == 0 || (double.IsFinite(r.IntervalSeconds) && r.IntervalSeconds >= MinWatchIntervalSeconds && r.IntervalSeconds <= MaxWatchIntervalSeconds)
            ? null
            : $"interval_seconds must be 0 (default {DefaultWatchIntervalSeconds} s) or in [{MinWatchIntervalSeconds}, {MaxWatchIntervalSeconds}]";

    public static string? Problem(Proto.QueryWorklistRequest r) =>
        r.Date.Length > 0 && !DateOnly.TryParseExact(r.Date, "yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out _)
            ? "date must be YYYYMMDD or empty (today)"
            : TextProblem("patient_name", r.PatientName, MaxNameLength) ?? TextProblem("patient_id", r.PatientId, MaxNameLength);

    public static string? Problem(Proto.StartExamRequest r)
    {
        bool hasName = !string.IsNullOrWhiteSpace(r.PatientName);
        bool hasId = !string.IsNullOrWhiteSpace(r.PatientId);
        if (r.HasWorklistItemId && (hasName || hasId)) return "an exam from a worklist item takes its patient from the worklist: give no patient_name or patient_id";
        if (hasName != hasId) return "give both patient_name and patient_id, or neither for an emergency exam";
        return TextProblem("patient_name", r.PatientName, MaxNameLength)
            ?? TextProblem("patient_id", r.PatientId, MaxNameLength)
            ?? TextProblem("accession_number", r.AccessionNumber, MaxAccessionLength)
            ?? TextProblem("study_description", r.StudyDescription, MaxNameLength)
            ?? (r.HasWorklistItemId ? RequiredTextProblem("worklist_item_id", r.WorklistItemId, MaxNameLength) : null);
    }

    public static string? Problem(Proto.EndExamRequest r) =>
        !r.Discontinued && r.Reason.Length > 0 ? "reason is given only with discontinued"
        : TextProblem("reason", r.Reason, MaxNameLength);

    public static string? Problem(Proto.SelectProtocolRequest r) => RequiredTextProblem("name", r.Name, MaxNameLength) ?? LateralityProblem(r.Laterality);

    public static string? Problem(Proto.PedalPress r) =>
        (r.Protocol.Length > 0 && string.IsNullOrWhiteSpace(r.Protocol) ? "protocol is blank (leave it empty for the selected one)" : null)
        ?? TextProblem("protocol", r.Protocol, MaxNameLength)
        ?? (r.Laterality is "" or "-" or "R" or "L" ? null : "laterality must be R, L, - (unknown) or empty (the selected side)")
        ?? (Enum.IsDefined(r.Origin) ? null : $"origin {(int)r.Origin} is unknown");

    private static string? LateralityProblem(string laterality) =>
        Exam.RunSide.IsSide(laterality) ? null : "laterality must be R, L or empty";

    public static string? Problem(Proto.SaveLastFluoroRequest r) =>
        double.IsFinite(r.Seconds) && r.Seconds > 0 ? null : "seconds must be a positive number";

    public static string? Problem(Proto.RemaskRequest r)
    {
        if (r.RunNumber < 1) return "run_number must be 1 or more";
        if (r.MaskFrames.Count == 0) return "mask_frames needs at least one frame";
        var seen = new HashSet<int>();
        foreach (int frame in r.MaskFrames)
        {
            if (frame < 1) return $"mask frame {frame}: frames are numbered from 1";
            if (!seen.Add(frame)) return $"mask frame {frame} is given twice";
        }
        return null;
    }

    public static string? Problem(Proto.RetryOutboxItemRequest r)
    {
        if (r.Id < 1) return "id must be 1 or more";
        if (!r.HasDestination) return null;
        return RequiredTextProblem("destination", r.Destination, MaxAeTitleLength);
    }

    private static string? RequiredTextProblem(string field, string value, int maxLength) =>
        string.IsNullOrWhiteSpace(value) ? $"{field} is required" : TextProblem(field, value, maxLength);

    private static string? TextProblem(string field, string value, int maxLength) =>
        value.Length > maxLength ? $"{field} is longer than {maxLength} characters"
        : value.Any(char.IsControl) ? $"{field} contains control characters"
        : value.Contains('\\') ? $"{field} contains a backslash"
        : null;
}
