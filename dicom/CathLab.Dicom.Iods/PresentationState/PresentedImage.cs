using CathLab.Dicom.Data;
using CathLab.Dicom.Dictionary;

namespace CathLab.Dicom.Iods.PresentationState;

/// <summary>
/// What a presentation state needs from the image it applies to: its identifiers, size and frame count, the
/// patient and study elements to copy (a presentation state belongs to the image's study, PS3.3 A.33.1), and the
/// calibration its distances are measured with.
/// </summary>
public sealed record PresentedImage(
    string SopClassUid, string SopInstanceUid, string SeriesInstanceUid, string StudyInstanceUid,
    int Rows, int Columns, int Frames, int BitsStored, DicomDataSet PatientAndStudy, PixelCalibration Calibration)
{
    // Patient (C.7.1.1) and General Study (C.7.2.1), values only, the state is written in the station's character set.
    private static readonly DicomTag[] Copied =
    [
        DicomTags.PatientName, DicomTags.PatientID, DicomTags.PatientBirthDate, DicomTags.PatientSex,
        DicomTags.PatientComments, DicomTags.StudyInstanceUID, DicomTags.StudyDate, DicomTags.StudyTime, DicomTags.ReferringPhysicianName,
        DicomTags.StudyID, DicomTags.AccessionNumber, DicomTags.StudyDescription,
        // General Series: the state shows the same body part, so Laterality's condition (PS3.3 C.7.3.1) reads the same.
        DicomTags.BodyPartExamined, DicomTags.Laterality,
    ];

    /// <summary>Reads the image's header (an XA run as <see cref="Xa.XaRunReader.DataSet"/> gives it).</summary>
    /// <exception cref="ArgumentException">A required identifier is missing.</exception>
    public static PresentedImage From(DicomDataSet image)
    {
        string Required(DicomTag tag) => image.GetStringOrDefault(tag) is { Length: > 0 } v ? v : throw new ArgumentException($"the image has no {DicomDictionary.KeywordOf(tag)}");
        var copy = new DicomDataSet();
        foreach (var tag in Copied)
        {
            if (image.TryGet(tag, out var element)) copy.Add(element);
        }
        int frames = int.TryParse(image.GetStringOrDefault(DicomTags.NumberOfFrames), out int n) ? n : 1;
        return new PresentedImage(Required(DicomTags.SOPClassUID), Required(DicomTags.SOPInstanceUID), Required(DicomTags.SeriesInstanceUID),
            Required(DicomTags.StudyInstanceUID), image.GetInt(DicomTags.Rows), image.GetInt(DicomTags.Columns), frames, image.GetIntOrDefault(DicomTags.BitsStored, 8), copy, PixelCalibration.From(image));
    }
}
