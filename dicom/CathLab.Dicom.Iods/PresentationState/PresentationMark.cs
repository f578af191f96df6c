namespace CathLab.Dicom.Iods.PresentationState;

public enum PresentationMarkKind
{
    /// <summary>Two points, tail then head.</summary>
    Arrow,
    /// <summary>One point.</summary>
    Marker,
    /// <summary>One anchor point and a text.</summary>
    Text,
    /// <summary>2 or more points, a free line.</summary>
    Line,
    /// <summary>Two points; labelled with their calibrated length.</summary>
    Distance,
}

/// <summary>One mark on the presented frame; points are (column, row) in image pixels, as a viewer's annotation
/// units PIXEL take them (0,0 the top left corner of the top left pixel).</summary>
public sealed record PresentationMark(PresentationMarkKind Kind, IReadOnlyList<(double X, double Y)> Points, string? Text = null);
