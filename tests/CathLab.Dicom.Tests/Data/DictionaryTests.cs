using CathLab.Dicom.Data;
using CathLab.Dicom.Dictionary;

namespace CathLab.Dicom.Tests.Data;

public class DictionaryTests
{
    [Fact]
    public void KnowsCommonTagsWithVRKeywordAndVM()
    {
        var e = DicomDictionary.Find(new DicomTag(0x0010, 0x0010))!;
        Assert.Equal(DicomVR.PN, e.VR);
        Assert.Equal("PatientName", e.Keyword);
        Assert.Equal("1", e.VM);
        Assert.Equal(new DicomTag(0x0028, 0x0008), DicomTags.NumberOfFrames);
        Assert.Equal(DicomVR.IS, DicomDictionary.VROf(DicomTags.NumberOfFrames));
        Assert.Equal(DicomVR.SQ, DicomDictionary.VROf(DicomTags.ReferencedSOPSequence));
        Assert.Equal("2", DicomDictionary.Find(DicomTags.PixelAspectRatio)!.VM);
        Assert.Equal("4", DicomDictionary.Find(DicomTags.AcquisitionMatrix)!.VM);
        Assert.True(DicomDictionary.Count > 4000);
        Assert.Equal(DicomTags.PatientID, DicomDictionary.Find("PatientID")!.Tag);
    }

    [Fact]
    public void AnswersRepeatingGroupsGroupLengthsAndPrivateCreators()
    {
        var overlayRows = DicomDictionary.Find(new DicomTag(0x6002, 0x0010))!;
        Assert.Equal(DicomVR.US, overlayRows.VR);
        Assert.Equal("OverlayRows", overlayRows.Keyword);
        Assert.NotEqual("OverlayRows", DicomDictionary.Find(new DicomTag(0x6001, 0x0010))!.Keyword); // odd group: private creator
        Assert.Equal(DicomVR.OW, DicomDictionary.VROf(new DicomTag(0x6000, 0x3000)));
        Assert.Equal(DicomVR.UL, DicomDictionary.VROf(new DicomTag(0x0028, 0x0000)));
        Assert.Equal(DicomVR.LO, DicomDictionary.VROf(new DicomTag(0x0029, 0x0010)));
        Assert.Equal(DicomVR.UN, DicomDictionary.VROf(new DicomTag(0x0029, 0x1010)));
        Assert.True(DicomDictionary.Find(new DicomTag(0x0028, 0x0106))!.IsVRAmbiguous);
    }

    [Fact]
    public void NewerVRsAreInTheDictionary()
    {
        Assert.Contains(DicomDictionary.Entries, e => e.VR == DicomVR.UC);
        Assert.Contains(DicomDictionary.Entries, e => e.VR == DicomVR.UR);
        Assert.Contains(DicomDictionary.Entries, e => e.VR == DicomVR.OV);
        Assert.Contains(DicomDictionary.Entries, e => e.VR == DicomVR.SV);
        Assert.Contains(DicomDictionary.Entries, e => e.VR == DicomVR.UV);
    }
}
