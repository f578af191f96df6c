using CathLab.Dicom.Data;
using CathLab.Dicom.IO;

namespace CathLab.Dicom.Codecs;

/// <summary><see cref="RleCodec"/> as an <see cref="IDicomFrameCodec"/>.</summary>
public sealed class RleFrameCodec : IDicomFrameCodec
{
    public static readonly RleFrameCodec Instance = new();

    private RleFrameCodec()
    {
    }

    public DicomTransferSyntax Syntax => DicomTransferSyntax.RleLossless;
    public int MaxEncodedLength(DicomFrameFormat format) => RleCodec.MaxEncodedLength(format);
    public int PlanningEncodedLength(DicomFrameFormat format) => RleCodec.MaxEncodedLength(format);
    public int Encode(ReadOnlySpan<byte> frame, DicomFrameFormat format, Span<byte> destination) => RleCodec.Encode(frame, format, destination);
    public void Decode(ReadOnlySpan<byte> encoded, DicomFrameFormat format, Span<byte> destination) => RleCodec.Decode(encoded, format, destination);

    // PackBits turns at most 2 bytes into 128: a frame claiming more than that is not what the file holds.
    public void CheckEncodedLength(DicomFrameFormat format, int encodedLength)
    {
        if (format.FrameLength > 64L * encodedLength + 64)
            throw new DicomFormatException($"an RLE frame of {encodedLength} bytes cannot decode to {format.FrameLength} bytes");
    }
}
