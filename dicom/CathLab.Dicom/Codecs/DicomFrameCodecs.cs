using CathLab.Dicom.IO;

namespace CathLab.Dicom.Codecs;

/// <summary>The frame codecs the toolkit has, by transfer syntax: RLE Lossless and JPEG-LS (lossless, and near-lossless
/// for decoding; a near-lossless encoder is made with an explicit error bound by <see cref="JpegLsCodec.NearLossless"/>).</summary>
public static class DicomFrameCodecs
{
    /// <summary>The encapsulated syntaxes the toolkit encodes without a setting, best compression first.</summary>
    public static IReadOnlyList<DicomTransferSyntax> Encodable { get; } = [DicomTransferSyntax.JpegLsLossless, DicomTransferSyntax.RleLossless];

    /// <summary>The codec for <paramref name="syntax"/>, or null when it is native or the toolkit has none.</summary>
    public static IDicomFrameCodec? Find(DicomTransferSyntax syntax) => syntax.Uid switch
    {
        Uids.DicomUids.RleLossless => RleFrameCodec.Instance,
        Uids.DicomUids.JpegLsLossless => JpegLsCodec.Lossless,
        Uids.DicomUids.JpegLsNearLossless => JpegLsCodec.NearLosslessDefault,
        _ => null,
    };

    public static IDicomFrameCodec For(DicomTransferSyntax syntax) =>
        Find(syntax) ?? throw new NotSupportedException($"no codec for {syntax.Name}");

    /// <summary>Whether frames can be read from (decoded) <paramref name="syntax"/>: native, or one with a codec.</summary>
    public static bool CanDecode(DicomTransferSyntax syntax) => !syntax.IsEncapsulated || Find(syntax) is not null;

    /// <summary>Whether the toolkit can write <paramref name="syntax"/> without a setting (native, RLE, JPEG-LS lossless).</summary>
    public static bool CanEncode(DicomTransferSyntax syntax) => !syntax.IsEncapsulated || Find(syntax) is { } c && c != JpegLsCodec.NearLosslessDefault;
}
