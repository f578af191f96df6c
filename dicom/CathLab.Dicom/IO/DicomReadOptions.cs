using System.Text;
using CathLab.Dicom.Data;

namespace CathLab.Dicom.IO;

/// <summary>How <see cref="DicomDataSetReader"/> reads.</summary>
public sealed record DicomReadOptions
{
    /// <summary>
    /// Stop before the first top-level element whose tag is at or after this one (e.g. Pixel Data), leaving a
    /// seekable stream positioned at that element's header. Null reads to the end.
    /// </summary>
    public DicomTag? StopAtTag { get; init; }

    /// <summary>Read no further than this many bytes from the stream's position (also bounds declared lengths).</summary>
    public long? MaxLength { get; init; }

    /// <summary>Text encoding when the data set has no Specific Character Set.</summary>
    public Encoding? DefaultEncoding { get; init; }

    /// <summary>Deepest sequence nesting accepted.</summary>
    public int MaxDepth { get; init; } = 32;

    public static DicomReadOptions Default { get; } = new();
}
