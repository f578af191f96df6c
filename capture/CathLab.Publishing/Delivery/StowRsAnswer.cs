using System.Text.Json;

namespace CathLab.Publishing.Delivery;

/// <summary>What a DICOMweb archive said of the instances of one STOW-RS request (PS3.18 10.5.3, the Store Instances
/// Response Module in the DICOM JSON model, PS3.18 F.2): those it stored (Referenced SOP Sequence, 0008,1199) and those
/// it did not, each with its Failure Reason (Failed SOP Sequence, 0008,1198, with 0008,1197).</summary>
internal sealed record StowRsAnswer(IReadOnlySet<string> Stored, IReadOnlyDictionary<string, int> Failed)
{
    private const string ReferencedSopSequence = "00081199";
    private const string FailedSopSequence = "00081198";
    private const string ReferencedSopInstanceUid = "00081155";
    private const string FailureReason = "00081197";

    public static readonly StowRsAnswer Empty = new(new HashSet<string>(), new Dictionary<string, int>());

    /// <summary>Reads the response body; anything that is not a DICOM JSON object gives an empty answer.</summary>
    public static StowRsAnswer Read(string json)
    {
        if (string.IsNullOrWhiteSpace(json)) return Empty;
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            // An answer may come as the object itself or (as some archives write DICOM JSON) as an array of one.
            if (root.ValueKind == JsonValueKind.Array && root.GetArrayLength() > 0) root = root[0];
            if (root.ValueKind != JsonValueKind.Object) return Empty;
            var stored = new HashSet<string>(StringComparer.Ordinal);
            foreach (var item in Items(root, ReferencedSopSequence))
            {
                if (FirstString(item, ReferencedSopInstanceUid) is { } uid) stored.Add(uid);
            }
            var failed = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var item in Items(root, FailedSopSequence))
            {
                if (FirstString(item, ReferencedSopInstanceUid) is { } uid) failed[uid] = FirstNumber(item, FailureReason) ?? 0;
            }
            return new StowRsAnswer(stored, failed);
        }
        catch (JsonException)
        {
            return Empty;
        }
    }

    /// <summary>A failure the archive may get over (PS3.4 C.4.2.1.4: A7xx, out of resources; 0110, processing failure).</summary>
    public static bool IsTransient(int reason) => reason is >= 0xA700 and <= 0xA7FF or 0x0110;

    private static IEnumerable<JsonElement> Items(JsonElement root, string tag)
    {
        if (!root.TryGetProperty(tag, out var sequence) || !sequence.TryGetProperty("Value", out var value) || value.ValueKind != JsonValueKind.Array) yield break;
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.Object) yield return item;
        }
    }

    private static JsonElement? First(JsonElement item, string tag) =>
        item.TryGetProperty(tag, out var attribute) && attribute.TryGetProperty("Value", out var value) && value.ValueKind == JsonValueKind.Array && value.GetArrayLength() > 0
            ? value[0] : null;

    private static string? FirstString(JsonElement item, string tag) => First(item, tag) is { ValueKind: JsonValueKind.String } v ? v.GetString() : null;

    private static int? FirstNumber(JsonElement item, string tag) => First(item, tag) is { ValueKind: JsonValueKind.Number } v && v.TryGetInt32(out int n) ? n : null;
}
