using CathLab.Dicom.Data;

namespace CathLab.Dicom.Dictionary;

/// <summary>A repeating-group or element-range entry such as (60xx,0010) Overlay Rows. Parity: 'e' even groups, 'o' odd, 'u' any.</summary>
internal sealed record DicomDictionaryRange(ushort GroupLow, ushort GroupHigh, char GroupParity, ushort ElementLow, ushort ElementHigh,
    DicomVR VR, bool IsVRAmbiguous, string Keyword, string VM, bool IsRetired)
{
    public bool Matches(DicomTag tag) =>
        tag.Group >= GroupLow && tag.Group <= GroupHigh && tag.Element >= ElementLow && tag.Element <= ElementHigh
        && GroupParity switch { 'e' => (tag.Group & 1) == 0, 'o' => (tag.Group & 1) == 1, _ => true };
}
