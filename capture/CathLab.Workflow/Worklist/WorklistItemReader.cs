using System.Globalization;
using CathLab.Dicom.Data;
using CathLab.Dicom.Dictionary;
using CathLab.Dicom.Uids;

namespace CathLab.Workflow.Worklist;

/// <summary>Turns one C-FIND match into a <see cref="WorklistItem"/>, or says exactly why it cannot.</summary>
public static class WorklistItemReader
{
    public static bool TryRead(DicomDataSet match, out WorklistItem? item, out string? reason)
    {
        item = null;
        try
        {
            reason = Problem(match);
            if (reason is not null) return false;
            item = Read(match);
            return true;
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or KeyNotFoundException or OverflowException)
        {
            reason = $"unreadable attribute: {e.Message}";
            return false;
        }
    }

    private static string? Problem(DicomDataSet match)
    {
        var id = Text(match, DicomTags.PatientID);
        if (id.Length == 0) return "Patient ID (0010,0020) is empty";
        if (id.Length > 64) return "Patient ID (0010,0020) is longer than 64 characters";
        var study = Text(match, DicomTags.StudyInstanceUID);
        if (!DicomUidGenerator.IsValid(study)) return $"Study Instance UID (0020,000D) '{study}' is not a valid UID";
        if (!match.TryGetSequence(DicomTags.ScheduledProcedureStepSequence, out var steps) || steps.Items.Count == 0)
            return "Scheduled Procedure Step Sequence (0040,0100) is missing or empty";
        if (steps.Items.Count > 1) return "Scheduled Procedure Step Sequence (0040,0100) holds more than one step";
        var birth = Text(match, DicomTags.PatientBirthDate);
        if (birth.Length > 0 && ParseDate(birth) is null) return $"Patient's Birth Date (0010,0030) '{birth}' is not a DICOM date";
        var sex = Text(match, DicomTags.PatientSex);
        if (sex is not ("" or "M" or "F" or "O")) return $"Patient's Sex (0010,0040) '{sex}' is not M, F or O";
        var step = steps.Items[0];
        var date = Text(step, DicomTags.ScheduledProcedureStepStartDate);
        if (date.Length > 0 && ParseDate(date) is null) return $"Scheduled Procedure Step Start Date (0040,0002) '{date}' is not a DICOM date";
        var time = Text(step, DicomTags.ScheduledProcedureStepStartTime);
        if (time.Length > 0 && ParseTime(time) is null) return $"Scheduled Procedure Step Start Time (0040,0003) '{time}' is not a DICOM time";
        return null;
    }

    private static WorklistItem Read(DicomDataSet match)
    {
        var step = match.GetSequence(DicomTags.ScheduledProcedureStepSequence).Items[0];
        var date = ParseDate(Text(step, DicomTags.ScheduledProcedureStepStartDate));
        var time = ParseTime(Text(step, DicomTags.ScheduledProcedureStepStartTime));
        DateTime? start = date is { } d ? d.ToDateTime(time ?? TimeOnly.MinValue) : null;
        var birth = Text(match, DicomTags.PatientBirthDate);
        return new WorklistItem(
            Text(match, DicomTags.PatientName),
            Text(match, DicomTags.PatientID),
            birth.Length > 0 ? ParseDate(birth) : null,
            Text(match, DicomTags.PatientSex),
            Text(match, DicomTags.AccessionNumber),
            Text(match, DicomTags.RequestedProcedureID),
            Text(match, DicomTags.RequestedProcedureDescription),
            Text(match, DicomTags.StudyInstanceUID),
            Text(step, DicomTags.ScheduledProcedureStepID),
            Text(step, DicomTags.ScheduledProcedureStepDescription),
            start,
            Text(match, DicomTags.ReferringPhysicianName))
        {
            Modality = Text(step, DicomTags.Modality),
            ScheduledStationAeTitle = Text(step, DicomTags.ScheduledStationAETitle),
        };
    }

    private static string Text(DicomDataSet set, DicomTag tag) => (set.GetStringOrDefault(tag) ?? "").Trim().TrimEnd('\0');

    private static DateOnly? ParseDate(string text) =>
        DateOnly.TryParseExact(text, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;

    private static TimeOnly? ParseTime(string text)
    {
        // PS3.5 TM: HH, HHMM, HHMMSS, optionally .F to .FFFFFF.
        var whole = text.Split('.')[0];
        string[] formats = ["HH", "HHmm", "HHmmss"];
        return TimeOnly.TryParseExact(whole, formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var t) ? t : null;
    }
}
