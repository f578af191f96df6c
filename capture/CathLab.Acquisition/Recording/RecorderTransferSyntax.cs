using CathLab.Dicom.IO;

namespace CathLab.Acquisition.Recording;

/// <summary>The transfer syntaxes the recorder writes, by their configuration names.</summary>
public enum RecorderTransferSyntax { JpegLsLossless, RleLossless, ExplicitVRLittleEndian }

public static class RecorderTransferSyntaxes
{
    public static DicomTransferSyntax Of(RecorderTransferSyntax syntax) => syntax switch
    {
        RecorderTransferSyntax.JpegLsLossless => DicomTransferSyntax.JpegLsLossless,
        RecorderTransferSyntax.RleLossless => DicomTransferSyntax.RleLossless,
        RecorderTransferSyntax.ExplicitVRLittleEndian => DicomTransferSyntax.ExplicitVRLittleEndian,
        _ => throw new ArgumentOutOfRangeException(nameof(syntax), syntax, "not a transfer syntax the recorder writes"),
    };
}
