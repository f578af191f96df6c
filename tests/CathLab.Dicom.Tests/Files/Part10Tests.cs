using CathLab.Dicom.Data;
using CathLab.Dicom.Dictionary;
using CathLab.Dicom.Files;
using CathLab.Dicom.IO;
using CathLab.Dicom.Tests.Support;
using CathLab.Dicom.Uids;

namespace CathLab.Dicom.Tests.Files;

public class Part10Tests
{
    [Theory]
    [InlineData(DicomUids.ImplicitVRLittleEndian)]
    [InlineData(DicomUids.ExplicitVRLittleEndian)]
    [InlineData(DicomUids.DeflatedExplicitVRLittleEndian)]
    [InlineData(DicomUids.RleLossless)]
    public void InMemoryFileRoundTrips(string syntaxUid)
    {
        var ds = TestObjects.XaHeader(32, 40, 16, frames: 2);
        var pixels = TestObjects.Frame(32, 40, 16, 1).Concat(TestObjects.Frame(32, 40, 16, 2)).ToArray();
        ds.SetBytes(DicomTags.PixelData, DicomVR.OW, pixels);
        var file = new DicomFile(ds, DicomTransferSyntax.ExplicitVRLittleEndian).ChangeTransferSyntax(DicomTransferSyntax.Get(syntaxUid));
        using var ms = new MemoryStream();
        file.Write(ms);
        var bytes = ms.ToArray();
        Assert.Equal("DICM"u8.ToArray(), bytes[128..132]);
        Assert.All(bytes[..128], b => Assert.Equal(0, b));
        // Group 0002 is explicit VR LE and starts with its group length.
        Assert.Equal(new byte[] { 2, 0, 0, 0, (byte)'U', (byte)'L', 4, 0 }, bytes[132..140]);

        ms.Position = 0;
        var back = DicomFile.Read(ms);
        Assert.Equal(syntaxUid, back.Meta.TransferSyntaxUid);
        Assert.Equal(DicomUids.XRayAngiographicImageStorage, back.Meta.MediaStorageSopClassUid);
        Assert.Equal(ds.GetString(DicomTags.SOPInstanceUID), back.Meta.MediaStorageSopInstanceUid);
        Assert.Equal(DicomUids.ImplementationClassUid, back.Meta.ImplementationClassUid);
        Assert.Equal("CATHLAB_1", back.Meta.ImplementationVersionName);
        Assert.Equal("Müller^Jürgen", back.DataSet.GetString(DicomTags.PatientName));
        var native = back.ChangeTransferSyntax(DicomTransferSyntax.ExplicitVRLittleEndian);
        Assert.Equal(pixels, native.DataSet.GetBytes(DicomTags.PixelData).ToArray());
    }

    [Fact]
    public void GroupLengthMatchesTheMetaGroup()
    {
        var ds = TestObjects.XaHeader(4, 4, 8);
        using var ms = new MemoryStream();
        new DicomFile(ds, DicomTransferSyntax.ImplicitVRLittleEndian, "CATHLAB").Write(ms);
        var bytes = ms.ToArray();
        var groupLength = BitConverter.ToUInt32(bytes, 140);
        var end = 144 + (int)groupLength;
        // The data set, in implicit VR, starts right after the group: (0008,0005).
        Assert.Equal(new byte[] { 8, 0, 5, 0 }, bytes[end..(end + 4)]);
        ms.Position = 0;
        Assert.Equal("CATHLAB", DicomFile.Read(ms).Meta.SourceApplicationEntityTitle);
    }

    [Fact]
    public void NotAPart10FileIsRefused()
    {
        Assert.Throws<DicomFormatException>(() => DicomFile.Read(new MemoryStream(new byte[200])));
        Assert.Throws<DicomFormatException>(() => DicomFile.Read(new MemoryStream(new byte[10])));
    }
}
