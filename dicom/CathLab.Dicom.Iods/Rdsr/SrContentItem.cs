using System.Globalization;
using CathLab.Dicom.Data;
using CathLab.Dicom.Dictionary;
using CathLab.Dicom.Iods.Common;

namespace CathLab.Dicom.Iods.Rdsr;

/// <summary>Content items of an SR content tree (PS3.3 C.17.3): each is one Content Sequence item.</summary>
public static class SrContentItem
{
    public const string Contains = "CONTAINS";
    public const string HasConceptModifier = "HAS CONCEPT MOD";
    public const string HasObservationContext = "HAS OBS CONTEXT";
    public const string HasProperties = "HAS PROPERTIES";

    public static DicomDataSet Container(string relationship, CodedConcept concept, IEnumerable<DicomDataSet> children)
    {
        var item = Item(relationship, "CONTAINER", concept);
        item.SetString(DicomTags.ContinuityOfContent, "SEPARATE");
        item.SetSequence(DicomTags.ContentSequence, [.. children]);
        return item;
    }

    public static DicomDataSet Code(string relationship, CodedConcept concept, CodedConcept value, params DicomDataSet[] children)
    {
        var item = Item(relationship, "CODE", concept);
        item.SetSequence(DicomTags.ConceptCodeSequence, value.ToItem());
        if (children.Length > 0) item.SetSequence(DicomTags.ContentSequence, children);
        return item;
    }

    public static DicomDataSet Num(string relationship, CodedConcept concept, double value, CodedConcept unit)
    {
        if (!double.IsFinite(value)) throw new ArgumentException($"{concept} has no finite value ({value})");
        var measured = new DicomDataSet().SetString(DicomTags.NumericValue, DicomVR.DS, Format(value));
        measured.SetSequence(DicomTags.MeasurementUnitsCodeSequence, unit.ToItem());
        var item = Item(relationship, "NUM", concept);
        item.SetSequence(DicomTags.MeasuredValueSequence, measured);
        return item;
    }

    public static DicomDataSet Text(string relationship, CodedConcept concept, string text) =>
        Item(relationship, "TEXT", concept).SetString(DicomTags.TextValue, text);

    public static DicomDataSet UidRef(string relationship, CodedConcept concept, string uid) =>
        Item(relationship, "UIDREF", concept).SetString(DicomTags.UID, uid);

    public static DicomDataSet DateTime(string relationship, CodedConcept concept, System.DateTime value) =>
        Item(relationship, "DATETIME", concept).SetString(DicomTags.DateTime, DicomDateTimeText.DateTime(value));

    public static DicomDataSet Image(string relationship, CodedConcept concept, string sopClassUid, string sopInstanceUid)
    {
        var item = Item(relationship, "IMAGE", concept);
        item.SetSequence(DicomTags.ReferencedSOPSequence, new DicomDataSet()
            .SetString(DicomTags.ReferencedSOPClassUID, sopClassUid)
            .SetString(DicomTags.ReferencedSOPInstanceUID, sopInstanceUid));
        return item;
    }

    private static DicomDataSet Item(string relationship, string valueType, CodedConcept concept)
    {
        var item = new DicomDataSet()
            .SetString(DicomTags.RelationshipType, relationship)
            .SetString(DicomTags.ValueType, valueType);
        item.SetSequence(DicomTags.ConceptNameCodeSequence, concept.ToItem());
        return item;
    }

    /// <summary>At most 16 characters (DS), six significant digits: doses in Gy and Gy.m2 are small numbers.</summary>
    private static string Format(double v)
    {
        if (v == 0) return "0";
        var text = v.ToString("G6", CultureInfo.InvariantCulture);
        return text.Length <= 16 ? text : v.ToString("E5", CultureInfo.InvariantCulture);
    }
}
