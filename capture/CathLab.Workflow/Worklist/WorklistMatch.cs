using System.Globalization;

namespace CathLab.Workflow.Worklist;

/// <summary>
/// The matching keys of a worklist query (PS3.4 §K.6.1.2): scheduled date or date range, modality, scheduled station
/// AE title, patient name (with * and ? wildcards) and patient ID. A key left null matches everything.
/// </summary>
public sealed record WorklistMatch
{
    public DateOnly? From { get; init; }
    public DateOnly? To { get; init; }
    public string? Modality { get; init; } = "XA";
    public string? StationAeTitle { get; init; }
    public string? PatientName { get; init; }
    public string? PatientId { get; init; }

    /// <summary>Today's (or one day's) steps for this station: the usual query of a modality.</summary>
    public static WorklistMatch ForStation(string stationAeTitle, DateOnly day) => new() { StationAeTitle = stationAeTitle, From = day, To = day };

    /// <summary>Scheduled Procedure Step Start Date as a single date or a PS3.5 range ("A-B", "A-", "-B").</summary>
    public string? DateKey
    {
        get
        {
            if (From is null && To is null) return null;
            if (From == To) return Text(From!.Value);
            return $"{(From is { } f ? Text(f) : "")}-{(To is { } t ? Text(t) : "")}";
        }
    }

    internal void Validate()
    {
        if (From is { } f && To is { } t && t < f) throw new ArgumentException($"worklist date range ends ({t:yyyy-MM-dd}) before it starts ({f:yyyy-MM-dd})");
        if (StationAeTitle is { Length: > 16 }) throw new ArgumentException("a station AE title has at most 16 characters");
        if (PatientId is { Length: > 64 }) throw new ArgumentException("a patient ID has at most 64 characters (LO)");
        foreach (var key in new[] { StationAeTitle, Modality, PatientName, PatientId })
        {
            if (key is not null && key.Contains('\\')) throw new ArgumentException($"matching key '{key}' holds a backslash, which DICOM reserves as the value separator");
        }
    }

    private static string Text(DateOnly d) => d.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
}
