using CathLab.Dicom.Data;

namespace CathLab.Dicom.Dictionary;

/// <summary>
/// One PS3.6 dictionary entry. <see cref="IsVRAmbiguous"/> marks "US or SS", "OB or OW" entries;
/// <see cref="VR"/> is then the choice used for implicit VR (US, OW).
/// </summary>
public sealed record DicomDictionaryEntry(DicomTag Tag, DicomVR VR, string Keyword, string VM, bool IsRetired, bool IsVRAmbiguous);
