using CathLab.Dicom.Data;
using CathLab.Dicom.Dictionary;

namespace CathLab.Workflow.Patients;

/// <summary>
/// Declares UTF-8 (ISO_IR 192) as Specific Character Set on a data set we send when any text in it, nested items
/// included, leaves ASCII (a patient called MÜLLER), so the peer decodes the names as we meant them.
/// </summary>
internal static class CharacterSetDeclaration
{
    public static DicomDataSet DeclareWhereNeeded(DicomDataSet set)
    {
        if (!set.Contains(DicomTags.SpecificCharacterSet) && HasNonAscii(set)) set.SetString(DicomTags.SpecificCharacterSet, DicomCharacterSet.Utf8);
        return set;
    }

    private static bool HasNonAscii(DicomDataSet set)
    {
        foreach (var e in set)
        {
            switch (e)
            {
                case DicomStringElement s when s.Value.Any(c => c > 127):
                    return true;
                case DicomSequence sq when sq.Items.Any(HasNonAscii):
                    return true;
            }
        }
        return false;
    }
}
