namespace CathLab.Dicom.Iods.Context;

/// <summary>A series of the exam; the modality is fixed by the object written into it (XA or SR).</summary>
public sealed record SeriesInfo(string InstanceUid, int Number)
{
    public string Description { get; init; } = "";
    public string BodyPartExamined { get; init; } = "";
}
