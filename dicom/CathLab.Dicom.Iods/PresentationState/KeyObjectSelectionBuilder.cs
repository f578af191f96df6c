using System.Globalization;
using CathLab.Dicom.Data;
using CathLab.Dicom.Dictionary;
using CathLab.Dicom.Files;
using CathLab.Dicom.IO;
using CathLab.Dicom.Iods.Common;
using CathLab.Dicom.Iods.Context;
using CathLab.Dicom.Iods.Rdsr;

namespace CathLab.Dicom.Iods.PresentationState;

/// <summary>What a key-image note says: one frame of one image is of interest, to be shown through one presentation
/// state, with a description; who made it when.</summary>
public sealed record KeyObjectSelectionContent
{
    public required PresentedImage Image { get; init; }
    public required int Frame { get; init; }
    public required string PresentationStateSopInstanceUid { get; init; }
    public required string PresentationStateSeriesInstanceUid { get; init; }
    public required string SopInstanceUid { get; init; }
    public required string SeriesInstanceUid { get; init; }
    public int SeriesNumber { get; init; } = 901;
    public int InstanceNumber { get; init; } = 1;
    public required EquipmentInfo Equipment { get; init; }

    /// <summary>Key Object Description (113012, DCM), at most 1024 characters (UT would allow more; viewers show a line).</summary>
    public string Description { get; init; } = "";

    public required DateTime CreatedAt { get; init; }
}

/// <summary>
/// Builds a Key Object Selection Document (PS3.3 A.35.4): Key Object Document Series (C.17.6.1), Key Object Document
/// (C.17.6.2) with the evidence of every object it references, and SR Document Content (C.17.3) after TID 2010: the
/// title (113000, DCM, "Of Interest"), a Key Object Description, and one IMAGE item for the frame whose Referenced SOP
/// Sequence names the presentation state to show it with (the Image Reference Macro, C.18.4).
/// </summary>
public static class KeyObjectSelectionBuilder
{
    public const string SopClassUid = "1.2.840.10008.5.1.4.1.1.88.59";
    public static readonly CodedConcept OfInterest = new("113000", "DCM", "Of Interest");
    public static readonly CodedConcept KeyObjectDescription = new("113012", "DCM", "Key Object Description");

    // Patient and General Study only: a key object document has no General Series module to carry the image's body part.
    private static readonly DicomTag[] SeriesOnly = [DicomTags.BodyPartExamined, DicomTags.Laterality];

    public static DicomDataSet Build(KeyObjectSelectionContent c)
    {
        if (c.Frame < 1 || c.Frame > c.Image.Frames) throw new ArgumentOutOfRangeException(nameof(c), c.Frame, $"the image has frames 1 to {c.Image.Frames}");
        var ds = new DicomDataSet();
        foreach (var element in c.Image.PatientAndStudy)
        {
            if (!SeriesOnly.Contains(element.Tag)) ds.Add(element);
        }
        CompositeModules.AddSopCommon(ds, SopClassUid, c.SopInstanceUid, c.CreatedAt);
        CompositeModules.AddSeries(ds, new SeriesInfo(c.SeriesInstanceUid, c.SeriesNumber) { Description = "Key images" }, "KO");
        ds.SetEmpty(DicomTags.ReferencedPerformedProcedureStepSequence);
        CompositeModules.AddGeneralEquipment(ds, c.Equipment);

        ds.SetString(DicomTags.InstanceNumber, c.InstanceNumber.ToString(CultureInfo.InvariantCulture));
        ds.SetString(DicomTags.ContentDate, DicomDateTimeText.Date(c.CreatedAt));
        ds.SetString(DicomTags.ContentTime, DicomDateTimeText.Time(c.CreatedAt));
        AddEvidence(ds, c);

        ds.SetString(DicomTags.ValueType, "CONTAINER");
        ds.SetSequence(DicomTags.ConceptNameCodeSequence, OfInterest.ToItem());
        ds.SetString(DicomTags.ContinuityOfContent, "SEPARATE");
        ds.SetSequence(DicomTags.ContentTemplateSequence, new DicomDataSet()
            .SetString(DicomTags.MappingResource, "DCMR")
            .SetString(DicomTags.TemplateIdentifier, "2010"));
        var content = new List<DicomDataSet>();
        if (c.Description.Length > 0)
            content.Add(SrContentItem.Text(SrContentItem.Contains, KeyObjectDescription, c.Description.Length <= 1024 ? c.Description : c.Description[..1024]));
        content.Add(ImageItem(c));
        ds.SetSequence(DicomTags.ContentSequence, [.. content]);
        return ds;
    }

    public static void Save(KeyObjectSelectionContent content, string path, string? sourceAeTitle = null) =>
        new DicomFile(Build(content), DicomTransferSyntax.ExplicitVRLittleEndian, sourceAeTitle).Save(path);

    /// <summary>TID 2010's IMAGE item: no concept name (no purpose of reference), the frame, and the state to show it with.</summary>
    private static DicomDataSet ImageItem(KeyObjectSelectionContent c)
    {
        var reference = new DicomDataSet()
            .SetString(DicomTags.ReferencedSOPClassUID, c.Image.SopClassUid)
            .SetString(DicomTags.ReferencedSOPInstanceUID, c.Image.SopInstanceUid);
        if (c.Image.Frames > 1) reference.SetString(DicomTags.ReferencedFrameNumber, c.Frame.ToString(CultureInfo.InvariantCulture));
        reference.SetSequence(DicomTags.ReferencedSOPSequence, new DicomDataSet()
            .SetString(DicomTags.ReferencedSOPClassUID, GspsBuilder.SopClassUid)
            .SetString(DicomTags.ReferencedSOPInstanceUID, c.PresentationStateSopInstanceUid));
        var item = new DicomDataSet()
            .SetString(DicomTags.RelationshipType, SrContentItem.Contains)
            .SetString(DicomTags.ValueType, "IMAGE");
        item.SetSequence(DicomTags.ReferencedSOPSequence, reference);
        return item;
    }

    /// <summary>Current Requested Procedure Evidence Sequence (C.17.6.2, 1): the image and the presentation state, by series.</summary>
    private static void AddEvidence(DicomDataSet ds, KeyObjectSelectionContent c)
    {
        DicomDataSet Series(string seriesUid, string sopClassUid, string sopInstanceUid)
        {
            var item = new DicomDataSet().SetString(DicomTags.SeriesInstanceUID, seriesUid);
            item.SetSequence(DicomTags.ReferencedSOPSequence, new DicomDataSet()
                .SetString(DicomTags.ReferencedSOPClassUID, sopClassUid)
                .SetString(DicomTags.ReferencedSOPInstanceUID, sopInstanceUid));
            return item;
        }
        var study = new DicomDataSet().SetString(DicomTags.StudyInstanceUID, c.Image.StudyInstanceUid);
        study.SetSequence(DicomTags.ReferencedSeriesSequence,
            Series(c.Image.SeriesInstanceUid, c.Image.SopClassUid, c.Image.SopInstanceUid),
            Series(c.PresentationStateSeriesInstanceUid, GspsBuilder.SopClassUid, c.PresentationStateSopInstanceUid));
        ds.SetSequence(DicomTags.CurrentRequestedProcedureEvidenceSequence, study);
    }
}
