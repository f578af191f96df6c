using CathLab.Dicom.Codecs;
using CathLab.Dicom.Data;
using CathLab.Dicom.Files;
using CathLab.Dicom.IO;
using CathLab.Dicom.Network.Part10;

namespace CathLab.Dicom.Network.Client;

/// <summary>The transfer syntaxes a file can be sent in, in order of preference: its own (sent as it lies on disk), then
/// those the toolkit can transcode it to frame by frame: JPEG-LS Lossless, RLE Lossless, explicit and implicit VR little
/// endian. Lossless only: a lossy syntax is never proposed for an object that is not already lossy.</summary>
internal static class StoreSyntaxes
{
    private static readonly DicomTransferSyntax[] Transcoded =
        [DicomTransferSyntax.JpegLsLossless, DicomTransferSyntax.RleLossless, DicomTransferSyntax.ExplicitVRLittleEndian, DicomTransferSyntax.ImplicitVRLittleEndian];

    public static IReadOnlyList<string> For(string path, Part10Meta meta)
    {
        var own = DicomTransferSyntax.Find(meta.TransferSyntaxUid);
        if (own is null) return [meta.TransferSyntaxUid];
        try
        {
            using var reader = DicomFileReader.Open(path);
            if (reader.HasPixelData && !DicomFrameCodecs.CanDecode(own)) return [own.Uid];
            var result = new List<string> { own.Uid };
            foreach (var target in Transcoded)
            {
                if (result.Contains(target.Uid)) continue;
                if (target.IsEncapsulated && !(reader.HasPixelData && CanEncode(target, reader.FrameFormat))) continue;
                result.Add(target.Uid);
            }
            return result;
        }
        catch (Exception e) when (e is DicomFormatException or EndOfStreamException or NotSupportedException or InvalidOperationException or ArgumentException or KeyNotFoundException)
        {
            return [own.Uid]; // a data set the toolkit cannot read is sent as it is, for the peer to judge
        }
    }

    private static bool CanEncode(DicomTransferSyntax target, DicomFrameFormat format)
    {
        try
        {
            format.Validate();
        }
        catch (ArgumentException)
        {
            return false;
        }
        if (target.Uid == DicomTransferSyntax.RleLossless.Uid) return format.SegmentCount <= 15;
        return JpegLsCodec.IsAvailable && format.BitsAllocated <= 16 && format.SampleBits >= 2;
    }
}
