namespace CathLab.Dicom.Data;

/// <summary>An SQ element: an ordered list of items, each a nested data set.</summary>
public sealed class DicomSequence(DicomTag tag, IEnumerable<DicomDataSet>? items = null) : DicomElement(tag, DicomVR.SQ)
{
    public List<DicomDataSet> Items { get; } = items is null ? [] : [.. items];

    public override string ToString() => $"{base.ToString()} ({Items.Count} items)";
}
