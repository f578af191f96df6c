using CathLab.Dicom.Uids;

namespace CathLab.Dicom.IO;

/// <summary>
/// A transfer syntax and how it encodes a data set. Only little endian is read and written; JPEG and
/// other encapsulated syntaxes are carried as fragments (no codec); RLE Lossless and JPEG-LS have one (Codecs.DicomFrameCodecs).
/// </summary>
public sealed class DicomTransferSyntax
{
    private DicomTransferSyntax(string uid, string name, bool explicitVR, bool deflated, bool encapsulated)
    {
        Uid = uid;
        Name = name;
        IsExplicitVR = explicitVR;
        IsDeflated = deflated;
        IsEncapsulated = encapsulated;
    }

    public string Uid { get; }
    public string Name { get; }
    public bool IsExplicitVR { get; }

    /// <summary>The data set (after the File Meta Information) is raw-deflated (PS3.5 A.5).</summary>
    public bool IsDeflated { get; }

    /// <summary>Pixel data is a fragment sequence (PS3.5 A.4).</summary>
    public bool IsEncapsulated { get; }

    public static readonly DicomTransferSyntax ImplicitVRLittleEndian = new(DicomUids.ImplicitVRLittleEndian, "Implicit VR Little Endian", false, false, false);
    public static readonly DicomTransferSyntax ExplicitVRLittleEndian = new(DicomUids.ExplicitVRLittleEndian, "Explicit VR Little Endian", true, false, false);
    public static readonly DicomTransferSyntax DeflatedExplicitVRLittleEndian = new(DicomUids.DeflatedExplicitVRLittleEndian, "Deflated Explicit VR Little Endian", true, true, false);
    public static readonly DicomTransferSyntax RleLossless = new(DicomUids.RleLossless, "RLE Lossless", true, false, true);
    public static readonly DicomTransferSyntax JpegBaseline8Bit = new(DicomUids.JpegBaseline8Bit, "JPEG Baseline (Process 1)", true, false, true);
    public static readonly DicomTransferSyntax JpegLosslessSV1 = new(DicomUids.JpegLosslessSV1, "JPEG Lossless SV1", true, false, true);
    public static readonly DicomTransferSyntax JpegLsLossless = new(DicomUids.JpegLsLossless, "JPEG-LS Lossless", true, false, true);
    public static readonly DicomTransferSyntax JpegLsNearLossless = new(DicomUids.JpegLsNearLossless, "JPEG-LS Near-Lossless", true, false, true);
    public static readonly DicomTransferSyntax Jpeg2000Lossless = new(DicomUids.Jpeg2000Lossless, "JPEG 2000 Lossless", true, false, true);

    private static readonly DicomTransferSyntax[] Known =
        [ImplicitVRLittleEndian, ExplicitVRLittleEndian, DeflatedExplicitVRLittleEndian, RleLossless, JpegBaseline8Bit, JpegLosslessSV1, JpegLsLossless, JpegLsNearLossless, Jpeg2000Lossless];

    /// <summary>The known syntax with this UID; an unknown UID of the 1.2.840.10008.1.2.4.x family is treated as encapsulated explicit VR LE; others give null.</summary>
    public static DicomTransferSyntax? Find(string? uid)
    {
        if (uid is null) return null;
        uid = uid.Trim().TrimEnd('\0');
        foreach (var ts in Known) if (ts.Uid == uid) return ts;
        if (uid.StartsWith("1.2.840.10008.1.2.4.", StringComparison.Ordinal)) return new DicomTransferSyntax(uid, "Encapsulated " + uid, true, false, true);
        return null;
    }

    public static DicomTransferSyntax Get(string uid) =>
        Find(uid) ?? throw new DicomFormatException($"transfer syntax {uid} is not supported");

    public override string ToString() => $"{Name} ({Uid})";
}
