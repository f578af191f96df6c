using CathLab.Dicom.Data;
using CathLab.Dicom.Dictionary;
using CathLab.Dicom.Uids;

namespace CathLab.Dicom.Tests.Data;

public class DicomDataSetTests
{
    [Fact]
    public void KeepsElementsInTagOrderWhateverTheInsertionOrder()
    {
        var ds = new DicomDataSet()
            .SetString(DicomTags.PatientName, "A^B")
            .SetString(DicomTags.Modality, "XA")
            .SetInt(DicomTags.Rows, 512)
            .SetString(DicomTags.SOPClassUID, DicomUids.XRayAngiographicImageStorage);
        var tags = ds.Select(e => e.Tag).ToList();
        Assert.Equal(tags.OrderBy(t => t).ToList(), tags);
        Assert.Equal(4, ds.Count);
    }

    [Fact]
    public void TypedSettersUseTheDictionaryVRAndGettersConvert()
    {
        var ds = new DicomDataSet()
            .SetInt(DicomTags.Rows, 1024)
            .SetInt(DicomTags.NumberOfFrames, 210)
            .SetDouble(DicomTags.PositionerPrimaryAngle, -30.25)
            .SetDouble(DicomTags.KVP, 80)
            .SetString(DicomTags.ImageType, "ORIGINAL", "PRIMARY")
            .SetUInt16(DicomTags.BitsAllocated, 16)
            .SetTags(DicomTags.FrameIncrementPointer, DicomTags.FrameTime);
        Assert.Equal(DicomVR.US, ds[DicomTags.Rows].VR);
        Assert.Equal(1024, ds.GetInt(DicomTags.Rows));
        Assert.Equal(DicomVR.IS, ds[DicomTags.NumberOfFrames].VR);
        Assert.Equal(210, ds.GetInt(DicomTags.NumberOfFrames));
        Assert.Equal("210", ds.GetString(DicomTags.NumberOfFrames));
        Assert.Equal(-30.25, ds.GetDouble(DicomTags.PositionerPrimaryAngle));
        Assert.Equal(["ORIGINAL", "PRIMARY"], ds.GetStrings(DicomTags.ImageType));
        Assert.Equal("ORIGINAL\\PRIMARY", ds.GetString(DicomTags.ImageType));
        Assert.Equal(DicomTags.FrameTime, ds.GetTag(DicomTags.FrameIncrementPointer));
        Assert.Equal(16, ds.GetUInt16(DicomTags.BitsAllocated));
        Assert.Equal(7, ds.GetIntOrDefault(DicomTags.Columns, 7));
        Assert.Throws<KeyNotFoundException>(() => ds.GetString(DicomTags.PatientName));
    }

    [Fact]
    public void DecimalStringsFitSixteenCharacters()
    {
        var ds = new DicomDataSet().SetDouble(DicomTags.PixelSpacing, 1.0 / 3.0, 123456.789012345678);
        foreach (var v in ds.GetStrings(DicomTags.PixelSpacing)) Assert.True(v.Length <= 16, v);
        Assert.Equal(1.0 / 3.0, ds.GetDouble(DicomTags.PixelSpacing), 12);
    }

    [Fact]
    public void OutOfRangeNumbersAreRefused()
    {
        var ds = new DicomDataSet();
        Assert.Throws<OverflowException>(() => ds.SetInt(DicomTags.Rows, 70000));
        Assert.Throws<ArgumentException>(() => ds.SetString(new DicomTag(0x0029, 0x1001), "private needs a VR"));
    }

    [Fact]
    public void GeneratedUidsAreValidUniqueAndUnder64Characters()
    {
        var uids = Enumerable.Range(0, 2000).Select(_ => DicomUidGenerator.NewUid()).ToList();
        Assert.Equal(uids.Count, uids.Distinct().Count());
        Assert.All(uids, u => Assert.True(DicomUidGenerator.IsValid(u) && u.StartsWith("2.25.", StringComparison.Ordinal), u));
        var rooted = new DicomUidGenerator("1.2.826.0.1.3680043.10.999");
        var r = rooted.Next();
        Assert.StartsWith("1.2.826.0.1.3680043.10.999.", r);
        Assert.True(DicomUidGenerator.IsValid(r) && r.Length <= 64, r);
        Assert.True(DicomUidGenerator.IsValid(DicomUids.ImplementationClassUid));
        Assert.False(DicomUidGenerator.IsValid("1.02.3"));
        Assert.Throws<ArgumentException>(() => new DicomUidGenerator("1.2.x"));
    }

    [Fact]
    public void TagsParseAndPrint()
    {
        Assert.Equal(new DicomTag(0x7FE0, 0x0010), DicomTag.Parse("(7FE0,0010)"));
        Assert.Equal("(0010,0010)", DicomTags.PatientName.ToString());
        Assert.False(DicomTag.TryParse("(7FE0,00)", out _));
        Assert.True(new DicomTag(0x0009, 0x0010).IsPrivateCreator);
    }
}
