namespace CathLab.Dicom.Data;

/// <summary>
/// The native layout of one frame of pixel data: rows, columns, bits allocated and samples per pixel
/// (interleaved, Planar Configuration 0). Frame length is rows x columns x samples x bytes per sample.
/// Bits Stored (0 for "as allocated") is what a codec that codes sample precision (JPEG-LS) codes.
/// </summary>
public readonly record struct DicomFrameFormat(int Rows, int Columns, int BitsAllocated, int SamplesPerPixel = 1, int BitsStored = 0)
{
    /// <summary>Significant bits of each sample: Bits Stored when given, else Bits Allocated.</summary>
    public int SampleBits => BitsStored > 0 ? BitsStored : BitsAllocated;

    public int BytesPerSample => BitsAllocated / 8;
    public int PixelCount => checked(Rows * Columns);
    public int FrameLength => checked(PixelCount * SamplesPerPixel * BytesPerSample);
    public int SegmentCount => SamplesPerPixel * BytesPerSample;

    /// <summary>Reads Rows, Columns, Bits Allocated, Samples per Pixel (default 1) and Bits Stored (default: as allocated) from a data set.</summary>
    public static DicomFrameFormat FromDataSet(DicomDataSet ds) => new(
        ds.GetInt(DicomTagsCore.Rows), ds.GetInt(DicomTagsCore.Columns), ds.GetInt(DicomTagsCore.BitsAllocated),
        ds.GetIntOrDefault(DicomTagsCore.SamplesPerPixel, 1), ds.GetIntOrDefault(DicomTagsCore.BitsStored, 0));

    public void Validate()
    {
        if (Rows <= 0 || Columns <= 0) throw new ArgumentException($"rows ({Rows}) and columns ({Columns}) must be positive");
        if (BitsAllocated is not (8 or 16 or 32)) throw new ArgumentException($"bits allocated must be 8, 16 or 32, not {BitsAllocated}");
        if (SamplesPerPixel is < 1 or > 4) throw new ArgumentException($"samples per pixel {SamplesPerPixel} is not supported");
        if (BitsStored < 0 || BitsStored > BitsAllocated) throw new ArgumentException($"bits stored {BitsStored} is outside 1..{BitsAllocated}");
    }
}
