using CathLab.Dicom.Data;
using CathLab.Dicom.IO;

namespace CathLab.Dicom.Codecs;

/// <summary>Encodes and decodes one frame of an encapsulated transfer syntax (one fragment per frame).</summary>
public interface IDicomFrameCodec
{
    DicomTransferSyntax Syntax { get; }

    /// <summary>Largest encoded size of a frame of <paramref name="format"/>, whatever its content: the buffer <see cref="Encode"/> needs.</summary>
    int MaxEncodedLength(DicomFrameFormat format);

    /// <summary>What to plan disk space by: the most a frame of real pixels takes, full-range noise included (for RLE the
    /// same as <see cref="MaxEncodedLength"/>; for JPEG-LS far below the standard's bound, which only crafted data nears).</summary>
    int PlanningEncodedLength(DicomFrameFormat format);

    /// <summary>Encodes one native frame (little endian, samples interleaved); returns the bytes written (even).</summary>
    int Encode(ReadOnlySpan<byte> frame, DicomFrameFormat format, Span<byte> destination);

    /// <summary>Decodes one encoded frame into a native frame; malformed input gives a <see cref="DicomFormatException"/>.</summary>
    void Decode(ReadOnlySpan<byte> encoded, DicomFrameFormat format, Span<byte> destination);

    /// <summary>Rejects an encoded length that cannot hold a frame of <paramref name="format"/> before it is read.</summary>
    void CheckEncodedLength(DicomFrameFormat format, int encodedLength);
}
