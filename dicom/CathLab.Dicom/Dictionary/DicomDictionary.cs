using System.Collections.Frozen;
using CathLab.Dicom.Data;

namespace CathLab.Dicom.Dictionary;

/// <summary>
/// The PS3.6 data dictionary: tag to VR, keyword and VM. Repeating groups (50xx, 60xx, 7Fxx),
/// group lengths (gggg,0000: UL) and private creators (odd gggg,0010-00FF: LO) are answered too.
/// </summary>
public static class DicomDictionary
{
    private static readonly Lazy<(FrozenDictionary<uint, DicomDictionaryEntry> ByTag, FrozenDictionary<string, DicomDictionaryEntry> ByKeyword)> Table =
        new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Number of single-tag entries.</summary>
    public static int Count => Table.Value.ByTag.Count;

    public static IEnumerable<DicomDictionaryEntry> Entries => Table.Value.ByTag.Values.OrderBy(e => e.Tag);

    public static bool TryGet(DicomTag tag, out DicomDictionaryEntry entry)
    {
        if (Table.Value.ByTag.TryGetValue(tag.Value, out entry!)) return true;
        if (tag.IsGroupLength)
        {
            entry = new DicomDictionaryEntry(tag, DicomVR.UL, "GroupLength", "1", false, false);
            return true;
        }
        if (tag.IsPrivateCreator)
        {
            entry = new DicomDictionaryEntry(tag, DicomVR.LO, "PrivateCreator", "1", false, false);
            return true;
        }
        foreach (var r in DicomDictionaryData.Ranges)
        {
            if (!r.Matches(tag)) continue;
            entry = new DicomDictionaryEntry(tag, r.VR, r.Keyword, r.VM, r.IsRetired, r.IsVRAmbiguous);
            return true;
        }
        entry = null!;
        return false;
    }

    public static DicomDictionaryEntry? Find(DicomTag tag) => TryGet(tag, out var e) ? e : null;

    public static DicomDictionaryEntry? Find(string keyword) => Table.Value.ByKeyword.GetValueOrDefault(keyword);

    /// <summary>The VR a tag has in implicit VR encoding; UN when the dictionary does not know the tag (e.g. private data).</summary>
    public static DicomVR VROf(DicomTag tag) => TryGet(tag, out var e) ? e.VR : DicomVR.UN;

    public static string KeywordOf(DicomTag tag) => TryGet(tag, out var e) ? e.Keyword : tag.IsPrivate ? "Private" : "Unknown";

    private static (FrozenDictionary<uint, DicomDictionaryEntry>, FrozenDictionary<string, DicomDictionaryEntry>) Load()
    {
        var byTag = new Dictionary<uint, DicomDictionaryEntry>(5000);
        var byKeyword = new Dictionary<string, DicomDictionaryEntry>(5000, StringComparer.Ordinal);
        foreach (var line in DicomDictionaryData.Entries.AsSpan().EnumerateLines())
        {
            var text = line.Trim();
            if (text.IsEmpty) continue;
            var f = text.ToString().Split('\t');
            var value = uint.Parse(f[0], System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture);
            DicomVRInfo.TryParse(f[1], out var vr);
            var entry = new DicomDictionaryEntry(DicomTag.FromValue(value), vr, f[2], f[3], f[4].Contains('r'), f[4].Contains('a'));
            byTag[value] = entry;
            if (!entry.IsRetired || !byKeyword.ContainsKey(entry.Keyword)) byKeyword[entry.Keyword] = entry;
        }
        return (byTag.ToFrozenDictionary(), byKeyword.ToFrozenDictionary(StringComparer.Ordinal));
    }
}
