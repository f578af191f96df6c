using CathLab.Dicom.Data;
using CathLab.Dicom.Dictionary;

namespace CathLab.Dicom.Iods.Rdsr;

/// <summary>A coded concept (code value, coding scheme designator, code meaning) as a Code Sequence item holds it.</summary>
public sealed record CodedConcept(string Value, string Scheme, string Meaning)
{
    public DicomDataSet ToItem() => new DicomDataSet()
        .SetString(DicomTags.CodeValue, Value)
        .SetString(DicomTags.CodingSchemeDesignator, Scheme)
        .SetString(DicomTags.CodeMeaning, Meaning);

    public override string ToString() => $"({Value}, {Scheme}, \"{Meaning}\")";
}
