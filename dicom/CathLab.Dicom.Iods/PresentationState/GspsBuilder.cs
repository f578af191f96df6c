using System.Globalization;
using CathLab.Dicom.Data;
using CathLab.Dicom.Dictionary;
using CathLab.Dicom.Files;
using CathLab.Dicom.IO;
using CathLab.Dicom.Iods.Common;
using CathLab.Dicom.Iods.Context;

namespace CathLab.Dicom.Iods.PresentationState;

/// <summary>
/// Builds a Grayscale Softcopy Presentation State (PS3.3 A.33.1) for one frame of one image: Presentation Series
/// (C.11.9), Presentation State Identification (C.11.10), Presentation State Relationship (C.11.11), Displayed Area
/// (C.10.4) for the zoom, Graphic Annotation (C.10.5) and Graphic Layer (C.10.7) for the marks, Softcopy VOI LUT
/// (C.11.8) for the window and Softcopy Presentation LUT (C.11.6) IDENTITY; the marks' lines also as an overlay on
/// their layer (<see cref="MarkOverlay"/>). The state has no shutter, mask or spatial transformation, so those
/// conditional modules are absent and the Presentation State Shutter and Mask modules have nothing to say.
/// </summary>
public static class GspsBuilder
{
    public const string SopClassUid = "1.2.840.10008.5.1.4.1.1.11.1";
    public const string Layer = "DISCUSSION";

    private const double MarkerRadius = 6, ArrowHeadLength = 12, ArrowHeadAngle = Math.PI / 7, CharWidth = 7, LineHeight = 14;

    public static DicomDataSet Build(PresentationStateContent c)
    {
        Validate(c);
        var ds = new DicomDataSet();
        foreach (var element in c.Image.PatientAndStudy) ds.Add(element);
        CompositeModules.AddSopCommon(ds, SopClassUid, c.SopInstanceUid, c.CreatedAt);
        CompositeModules.AddSeries(ds, new SeriesInfo(c.SeriesInstanceUid, c.SeriesNumber) { Description = "Presentation states" }, "PR");
        CompositeModules.AddGeneralEquipment(ds, c.Equipment);

        ds.SetString(DicomTags.InstanceNumber, Int(c.InstanceNumber));
        ds.SetString(DicomTags.ContentLabel, c.Label);
        ds.SetString(DicomTags.ContentDescription, c.Description.Length <= 64 ? c.Description : c.Description[..64]);
        ds.SetString(DicomTags.PresentationCreationDate, DicomDateTimeText.Date(c.CreatedAt));
        ds.SetString(DicomTags.PresentationCreationTime, DicomDateTimeText.Time(c.CreatedAt));
        ds.SetString(DicomTags.ContentCreatorName, c.CreatorName);

        var series = new DicomDataSet().SetString(DicomTags.SeriesInstanceUID, c.Image.SeriesInstanceUid);
        series.SetSequence(DicomTags.ReferencedImageSequence, ReferencedFrame(c));
        ds.SetSequence(DicomTags.ReferencedSeriesSequence, series);

        ds.SetSequence(DicomTags.DisplayedAreaSelectionSequence, DisplayedArea(c.Image, c.View.Zoom));

        var (center, width) = Window(c);
        ds.SetSequence(DicomTags.SoftcopyVOILUTSequence, new DicomDataSet()
            .SetString(DicomTags.WindowCenter, DicomVR.DS, Number(center))
            .SetString(DicomTags.WindowWidth, DicomVR.DS, Number(width)));

        if (c.Marks.Count > 0)
        {
            var overlay = new MarkOverlay(c.Image.Rows, c.Image.Columns);
            var (graphics, texts) = Objects(c.Marks, c.Image.Calibration, overlay);
            overlay.AddTo(ds, Layer);
            var annotation = new DicomDataSet().SetString(DicomTags.GraphicLayer, Layer);
            if (texts.Count > 0) annotation.SetSequence(DicomTags.TextObjectSequence, [.. texts]);
            if (graphics.Count > 0) annotation.SetSequence(DicomTags.GraphicObjectSequence, [.. graphics]);
            ds.SetSequence(DicomTags.GraphicAnnotationSequence, annotation);
            ds.SetSequence(DicomTags.GraphicLayerSequence, new DicomDataSet()
                .SetString(DicomTags.GraphicLayer, Layer)
                .SetString(DicomTags.GraphicLayerOrder, "1")
                .SetUInt16(DicomTags.GraphicLayerRecommendedDisplayGrayscaleValue, ushort.MaxValue)
                .SetString(DicomTags.GraphicLayerDescription, "Case discussion annotations"));
        }

        ds.SetString(DicomTags.PresentationLUTShape, "IDENTITY");
        return ds;
    }

    /// <summary>Builds the state and writes it as a Part 10 file (explicit VR little endian).</summary>
    public static void Save(PresentationStateContent content, string path, string? sourceAeTitle = null) =>
        new DicomFile(Build(content), DicomTransferSyntax.ExplicitVRLittleEndian, sourceAeTitle).Save(path);

    private static void Validate(PresentationStateContent c)
    {
        if (c.Frame < 1 || c.Frame > c.Image.Frames) throw new ArgumentOutOfRangeException(nameof(c), c.Frame, $"the image has frames 1 to {c.Image.Frames}");
        if (c.Label.Length is 0 or > 16 || c.Label.Any(ch => !(char.IsAsciiLetterUpper(ch) || char.IsAsciiDigit(ch) || ch is ' ' or '_')))
            throw new ArgumentException($"content label '{c.Label}' is not 1 to 16 of A-Z, 0-9, space, underscore");
        if (!(c.View.Zoom > 0)) throw new ArgumentException("zoom is above 0");
        if (c.View.WindowWidth is <= 0) throw new ArgumentException("a window width is above 0");
        foreach (var mark in c.Marks)
        {
            int needed = mark.Kind is PresentationMarkKind.Marker or PresentationMarkKind.Text ? 1 : 2;
            bool exact = mark.Kind != PresentationMarkKind.Line;
            if (exact ? mark.Points.Count != needed : mark.Points.Count < needed) throw new ArgumentException($"a {mark.Kind} has {(exact ? "" : "at least ")}{needed} points, not {mark.Points.Count}");
            if (mark.Kind == PresentationMarkKind.Text && string.IsNullOrWhiteSpace(mark.Text)) throw new ArgumentException("a text mark needs a text");
        }
    }

    private static DicomDataSet ReferencedFrame(PresentationStateContent c)
    {
        var item = new DicomDataSet()
            .SetString(DicomTags.ReferencedSOPClassUID, c.Image.SopClassUid)
            .SetString(DicomTags.ReferencedSOPInstanceUID, c.Image.SopInstanceUid);
        if (c.Image.Frames > 1) item.SetString(DicomTags.ReferencedFrameNumber, Int(c.Frame));
        return item;
    }

    /// <summary>The zoom as the part of the frame shown, centred, scaled to fit the viewer's area; 1-based pixel
    /// corners that may lie outside the frame when zoomed out.</summary>
    private static DicomDataSet DisplayedArea(PresentedImage image, double zoom)
    {
        (int First, int Last) Span(int size)
        {
            double half = size / zoom / 2, centre = size / 2.0;
            int first = (int)Math.Round(centre - half) + 1, last = (int)Math.Round(centre + half);
            return (first, Math.Max(first, last));
        }
        var (left, right) = Span(image.Columns);
        var (top, bottom) = Span(image.Rows);
        return new DicomDataSet()
            .SetInt(DicomTags.DisplayedAreaTopLeftHandCorner, left, top)
            .SetInt(DicomTags.DisplayedAreaBottomRightHandCorner, right, bottom)
            .SetString(DicomTags.PresentationSizeMode, "SCALE TO FIT")
            .SetString(DicomTags.PresentationPixelAspectRatio, "1", "1");
    }

    /// <summary>The window seen, else the whole stored range.</summary>
    private static (double Center, double Width) Window(PresentationStateContent c)
    {
        double range = Math.Pow(2, c.Image.BitsStored);
        return (c.View.WindowCenter ?? range / 2, c.View.WindowWidth ?? range);
    }

    private static (List<DicomDataSet> Graphics, List<DicomDataSet> Texts) Objects(IReadOnlyList<PresentationMark> marks, PixelCalibration calibration, MarkOverlay overlay)
    {
        var graphics = new List<DicomDataSet>();
        var texts = new List<DicomDataSet>();
        foreach (var mark in marks)
        {
            var p = mark.Points;
            switch (mark.Kind)
            {
                case PresentationMarkKind.Arrow:
                    graphics.Add(Graphic("POLYLINE", p[0], p[1]));
                    graphics.Add(Graphic("POLYLINE", ArrowHead(p[0], p[1], +1), p[1], ArrowHead(p[0], p[1], -1)));
                    overlay.Line(p[0], p[1]);
                    overlay.Line(ArrowHead(p[0], p[1], +1), p[1]);
                    overlay.Line(ArrowHead(p[0], p[1], -1), p[1]);
                    if (!string.IsNullOrWhiteSpace(mark.Text)) texts.Add(Text(mark.Text, p[0], visibleAnchor: false));
                    break;
                case PresentationMarkKind.Marker:
                    graphics.Add(Graphic("CIRCLE", p[0], (p[0].X + MarkerRadius, p[0].Y)));
                    overlay.Circle(p[0], MarkerRadius);
                    if (!string.IsNullOrWhiteSpace(mark.Text)) texts.Add(Text(mark.Text, (p[0].X + MarkerRadius, p[0].Y + MarkerRadius), visibleAnchor: false));
                    break;
                case PresentationMarkKind.Text:
                    texts.Add(Text(mark.Text!, p[0], visibleAnchor: false));
                    break;
                case PresentationMarkKind.Line:
                    graphics.Add(Graphic("POLYLINE", [.. p]));
                    for (int i = 1; i < p.Count; i++) overlay.Line(p[i - 1], p[i]);
                    if (!string.IsNullOrWhiteSpace(mark.Text)) texts.Add(Text(mark.Text, p[^1], visibleAnchor: false));
                    break;
                case PresentationMarkKind.Distance:
                    graphics.Add(Graphic("POLYLINE", p[0], p[1]));
                    overlay.Line(p[0], p[1]);
                    string label = calibration.Label(p[0], p[1]);
                    if (!string.IsNullOrWhiteSpace(mark.Text)) label = $"{label} {mark.Text}";
                    texts.Add(Text(label, ((p[0].X + p[1].X) / 2, (p[0].Y + p[1].Y) / 2), visibleAnchor: true));
                    break;
            }
        }
        return (graphics, texts);
    }

    private static (double X, double Y) ArrowHead((double X, double Y) tail, (double X, double Y) head, int side)
    {
        double angle = Math.Atan2(tail.Y - head.Y, tail.X - head.X) + side * ArrowHeadAngle;
        return (Math.Max(0, head.X + ArrowHeadLength * Math.Cos(angle)), Math.Max(0, head.Y + ArrowHeadLength * Math.Sin(angle)));
    }

    private static DicomDataSet Graphic(string type, params (double X, double Y)[] points)
    {
        var data = new double[points.Length * 2];
        for (int i = 0; i < points.Length; i++)
        {
            data[2 * i] = points[i].X;
            data[2 * i + 1] = points[i].Y;
        }
        var item = new DicomDataSet()
            .SetString(DicomTags.GraphicAnnotationUnits, "PIXEL")
            .SetUInt16(DicomTags.GraphicDimensions, 2)
            .SetUInt16(DicomTags.NumberOfGraphicPoints, checked((ushort)points.Length))
            .SetDouble(DicomTags.GraphicData, DicomVR.FL, data)
            .SetString(DicomTags.GraphicType, type);
        if (type == "CIRCLE") item.SetString(DicomTags.GraphicFilled, "N");
        return item;
    }

    /// <summary>A text in a box just below and right of its anchor, one line as long as the text; the anchor's line to
    /// the box shown where the text labels a point away from it.</summary>
    private static DicomDataSet Text(string text, (double X, double Y) anchor, bool visibleAnchor)
    {
        const int limit = 1024; // Unformatted Text Value is ST
        string value = text.Length <= limit ? text : text[..limit];
        double left = anchor.X + 4, top = anchor.Y + 4;
        return new DicomDataSet()
            .SetString(DicomTags.UnformattedTextValue, value)
            .SetString(DicomTags.BoundingBoxAnnotationUnits, "PIXEL")
            .SetDouble(DicomTags.BoundingBoxTopLeftHandCorner, DicomVR.FL, left, top)
            .SetDouble(DicomTags.BoundingBoxBottomRightHandCorner, DicomVR.FL, left + value.Length * CharWidth, top + LineHeight)
            .SetString(DicomTags.BoundingBoxTextHorizontalJustification, "LEFT")
            .SetString(DicomTags.AnchorPointAnnotationUnits, "PIXEL")
            .SetDouble(DicomTags.AnchorPoint, DicomVR.FL, anchor.X, anchor.Y)
            .SetString(DicomTags.AnchorPointVisibility, visibleAnchor ? "Y" : "N");
    }

    private static string Int(int v) => v.ToString(CultureInfo.InvariantCulture);

    private static string Number(double v) => Math.Round(v, 4).ToString("0.####", CultureInfo.InvariantCulture);
}
