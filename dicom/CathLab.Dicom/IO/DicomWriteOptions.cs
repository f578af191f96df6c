namespace CathLab.Dicom.IO;

/// <summary>How <see cref="DicomDataSetWriter"/> encodes sequences and group lengths.</summary>
public sealed record DicomWriteOptions
{
    /// <summary>Sequences and items with undefined length and delimiters (true), or with computed lengths (false).</summary>
    public bool UndefinedLengthSequences { get; init; } = true;

    /// <summary>Drop group length elements (gggg,0000) of groups above 0002, which are retired and easily wrong after edits.</summary>
    public bool DropGroupLengths { get; init; } = true;

    /// <summary>Deflate level for the deflated transfer syntax.</summary>
    public System.IO.Compression.CompressionLevel DeflateLevel { get; init; } = System.IO.Compression.CompressionLevel.Optimal;

    public static DicomWriteOptions Default { get; } = new();
}
