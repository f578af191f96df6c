namespace CathLab.Dicom.Data;

/// <summary>One data element of a data set: its tag and VR; subclasses hold the value.</summary>
public abstract class DicomElement(DicomTag tag, DicomVR vr)
{
    public DicomTag Tag { get; } = tag;
    public DicomVR VR { get; } = vr;

    public override string ToString() => $"{Tag} {VR.Code()}";
}
