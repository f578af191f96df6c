using System.Text;
using CathLab.Dicom.Data;
using CathLab.Dicom.Dictionary;
using CathLab.Dicom.IO;

namespace CathLab.Dicom.Tests.IO;

public class RoundTripTests
{
    public static TheoryData<string, bool> Syntaxes()
    {
        var data = new TheoryData<string, bool>();
        foreach (var ts in new[] { DicomTransferSyntax.ImplicitVRLittleEndian, DicomTransferSyntax.ExplicitVRLittleEndian, DicomTransferSyntax.DeflatedExplicitVRLittleEndian })
        {
            data.Add(ts.Uid, true);
            data.Add(ts.Uid, false);
        }
        return data;
    }

    /// <summary>One element of every VR; tags chosen so that implicit VR finds the same VR in the dictionary.</summary>
    internal static DicomDataSet EveryVR()
    {
        var ds = new DicomDataSet()
            .SetString(DicomTags.SpecificCharacterSet, "ISO_IR 192")
            .SetString(DicomTags.RetrieveAETitle, "PACS_AE")                          // AE
            .SetString(DicomTags.PatientAge, "067Y")                                  // AS
            .SetTags(DicomTags.FrameIncrementPointer, DicomTags.FrameTime, DicomTags.FrameTimeVector) // AT
            .SetString(DicomTags.ImageType, "ORIGINAL", "PRIMARY", "")              // CS, VM 3 with an empty value
            .SetString(DicomTags.StudyDate, "20261124")                               // DA
            .SetDouble(DicomTags.PixelSpacing, 0.125, 0.2)                            // DS
            .SetString(DicomTags.AcquisitionDateTime, "20261124101500.123456")        // DT
            .SetDouble(DicomTags.RealWorldValueSlope, 1.0 / 7.0)                        // FD
            .SetDouble(DicomTags.TableHeight, 12.5)                                   // FL? (checked below)
            .SetInt(DicomTags.NumberOfFrames, 3)                                      // IS
            .SetString(DicomTags.StudyDescription, "Koronarangiographie ñ")           // LO
            .SetString(DicomTags.AdditionalPatientHistory, "line one\r\nline two\\with backslash") // LT
            .SetBytes(DicomTags.EncapsulatedDocument, DicomVR.OB, new byte[] { 1, 2, 3 })        // OB, odd length
            .SetBytes(DicomTags.DoubleFloatPixelData, DicomVR.OD, BitConverter.GetBytes(Math.PI))     // OD
            .SetBytes(DicomTags.FloatPixelData, DicomVR.OF, BitConverter.GetBytes(2.5f))          // OF
            .SetBytes(DicomTags.LongTrianglePointIndexList, DicomVR.OL, BitConverter.GetBytes(123456u)) // OL
            .SetBytes(DicomTags.ExtendedOffsetTable, DicomVR.OV, BitConverter.GetBytes(1UL << 40))     // OV
            .SetBytes(DicomTags.RedPaletteColorLookupTableData, DicomVR.OW, new byte[] { 1, 0, 2, 0 }) // OW
            .SetString(DicomTags.PatientName, "Müller^Jürgen=山田^太郎")              // PN, UTF-8
            .SetString(DicomTags.PatientID, "PID-1")                                  // SH
            .SetInt(DicomTags.ReferencePixelX0, -5)                                   // SL
            .SetInt(DicomTags.TagAngleSecondAxis, -3)                                 // SS
            .SetString(DicomTags.DerivationDescription, "  leading spaces kept")      // ST
            .SetInt(DicomTags.SelectorSVValue, -9_000_000)                            // SV
            .SetString(DicomTags.StudyTime, "101500")                                 // TM
            .SetString(DicomTags.StrainDescription, "a long unlimited characters value")   // UC
            .SetString(DicomTags.SOPInstanceUID, "1.2.3.4.5")                          // UI, odd length -> NUL pad
            .SetInt(DicomTags.SimpleFrameList, 1, 2, 3)                                // UL
            .SetBytes(new DicomTag(0x0029, 0x1001), DicomVR.UN, new byte[] { 9, 8, 7, 6 }) // UN (private)
            .SetString(DicomTags.RetrieveURI, "http://127.0.0.1/wado?x=1")           // UR
            .SetInt(DicomTags.Rows, 512)                                                // US
            .SetString(DicomTags.TextValue, "UT text, with \\ backslash")             // UT
            .SetInt(DicomTags.SelectorUVValue, 9_000_000);                             // UV
        return ds;
    }

    [Theory]
    [MemberData(nameof(Syntaxes))]
    public void EveryVRSurvivesARoundTrip(string syntaxUid, bool undefinedLengths)
    {
        var syntax = DicomTransferSyntax.Get(syntaxUid);
        var ds = EveryVR();
        AddSequences(ds);
        var options = new DicomWriteOptions { UndefinedLengthSequences = undefinedLengths };
        var bytes = DicomDataSetWriter.ToArray(ds, syntax, options);
        Assert.True(bytes.Length % 2 == 0 || syntax.IsDeflated);
        if (!syntax.IsDeflated) Assert.Equal(bytes.Length, DicomDataSetWriter.MeasureLength(ds, syntax, options));
        var back = DicomDataSetReader.Read(bytes, syntax);
        AssertSame(ds, back, explicitVR: syntax.IsExplicitVR);
    }

    [Fact]
    public void ValuesArePaddedToEvenLengthWithTheRightByte()
    {
        var ds = new DicomDataSet().SetString(DicomTags.Modality, "X").SetString(DicomTags.SOPInstanceUID, "1.2.3");
        var bytes = DicomDataSetWriter.ToArray(ds, DicomTransferSyntax.ExplicitVRLittleEndian);
        // (0008,0018) UI 6 "1.2.3\0" then (0008,0060) CS 2 "X "
        Assert.Equal(new byte[] { 0x08, 0, 0x18, 0, (byte)'U', (byte)'I', 6, 0, (byte)'1', (byte)'.', (byte)'2', (byte)'.', (byte)'3', 0 }, bytes[..14]);
        Assert.Equal(new byte[] { 0x08, 0, 0x60, 0, (byte)'C', (byte)'S', 2, 0, (byte)'X', (byte)' ' }, bytes[14..]);
    }

    [Fact]
    public void LongHeaderVRsUseTwelveByteHeaders()
    {
        foreach (var vr in new[] { DicomVR.OB, DicomVR.OD, DicomVR.OF, DicomVR.OL, DicomVR.OV, DicomVR.OW, DicomVR.SQ, DicomVR.SV, DicomVR.UC, DicomVR.UN, DicomVR.UR, DicomVR.UT, DicomVR.UV })
            Assert.Equal(12, DicomElementHeader.SizeOf(vr, explicitVR: true));
        foreach (var vr in new[] { DicomVR.AE, DicomVR.CS, DicomVR.US, DicomVR.FD, DicomVR.LT, DicomVR.PN, DicomVR.UI, DicomVR.AT })
            Assert.Equal(8, DicomElementHeader.SizeOf(vr, explicitVR: true));
    }

    [Fact]
    public void Latin1CharacterSetIsHonoured()
    {
        var ds = new DicomDataSet().SetString(DicomTags.SpecificCharacterSet, "ISO_IR 100").SetString(DicomTags.PatientName, "Gärtner^Zoë");
        var bytes = DicomDataSetWriter.ToArray(ds, DicomTransferSyntax.ExplicitVRLittleEndian);
        Assert.Contains((byte)0xE4, bytes); // ä in Latin-1, one byte
        Assert.Equal("Gärtner^Zoë", DicomDataSetReader.Read(bytes, DicomTransferSyntax.ExplicitVRLittleEndian).GetString(DicomTags.PatientName));
        var utf8 = new DicomDataSet().SetString(DicomTags.SpecificCharacterSet, "ISO_IR 192").SetString(DicomTags.PatientName, "Gärtner^Zoë");
        var utf8Bytes = DicomDataSetWriter.ToArray(utf8, DicomTransferSyntax.ExplicitVRLittleEndian);
        Assert.True(utf8Bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes("ä")) >= 0);
    }

    [Fact]
    public void ItemsInheritOrOverrideTheCharacterSet()
    {
        var item = new DicomDataSet().SetString(DicomTags.PatientName, "Ærø^Å");
        var own = new DicomDataSet().SetString(DicomTags.SpecificCharacterSet, "ISO_IR 192").SetString(DicomTags.PatientName, "Ærø^Å");
        var ds = new DicomDataSet().SetString(DicomTags.SpecificCharacterSet, "ISO_IR 100");
        ds.SetSequence(DicomTags.OtherPatientIDsSequence, item, own);
        foreach (var syntax in new[] { DicomTransferSyntax.ImplicitVRLittleEndian, DicomTransferSyntax.ExplicitVRLittleEndian })
        {
            var back = DicomDataSetReader.Read(DicomDataSetWriter.ToArray(ds, syntax), syntax);
            var items = back.GetSequence(DicomTags.OtherPatientIDsSequence).Items;
            Assert.Equal("Ærø^Å", items[0].GetString(DicomTags.PatientName));
            Assert.Equal("Ærø^Å", items[1].GetString(DicomTags.PatientName));
        }
    }

    [Fact]
    public void StopAtTagLeavesTheStreamAtThatElement()
    {
        var ds = EveryVR();
        var bytes = DicomDataSetWriter.ToArray(ds, DicomTransferSyntax.ExplicitVRLittleEndian);
        using var ms = new MemoryStream(bytes);
        var head = DicomDataSetReader.Read(ms, DicomTransferSyntax.ExplicitVRLittleEndian, new DicomReadOptions { StopAtTag = DicomTags.Rows });
        Assert.False(head.Contains(DicomTags.Rows));
        Assert.True(head.Contains(DicomTags.NumberOfFrames));
        Assert.Equal(0x28, bytes[ms.Position]);
        Assert.Equal(0x10, bytes[ms.Position + 2]);
        var rest = DicomDataSetReader.Read(ms, DicomTransferSyntax.ExplicitVRLittleEndian);
        Assert.Equal(512, rest.GetInt(DicomTags.Rows));
    }

    [Fact]
    public void UndefinedLengthUnknownElementInExplicitVRIsReadAsImplicitSequence()
    {
        // (0029,1010) UN, undefined length, holding one item with (0010,0010) in implicit VR LE.
        var inner = DicomDataSetWriter.ToArray(new DicomDataSet().SetString(DicomTags.PatientName, "AB"), DicomTransferSyntax.ImplicitVRLittleEndian);
        using var ms = new MemoryStream();
        DicomElementHeader.Write(ms, new DicomTag(0x0029, 0x1010), DicomVR.UN, DicomElementHeader.UndefinedLength, explicitVR: true);
        DicomElementHeader.WriteItemHeader(ms, DicomTag.Item, (uint)inner.Length);
        ms.Write(inner);
        DicomElementHeader.WriteItemHeader(ms, DicomTag.SequenceDelimitationItem, 0);
        var back = DicomDataSetReader.Read(ms.ToArray(), DicomTransferSyntax.ExplicitVRLittleEndian);
        Assert.Equal("AB", back.GetSequence(new DicomTag(0x0029, 0x1010)).Items[0].GetString(DicomTags.PatientName));
    }

    private static void AddSequences(DicomDataSet ds)
    {
        var code = new DicomDataSet().SetString(DicomTags.CodeValue, "113704").SetString(DicomTags.CodingSchemeDesignator, "DCM")
            .SetString(DicomTags.CodeMeaning, "Projection X-Ray");
        var nested = new DicomDataSet().SetString(DicomTags.ReferencedSOPInstanceUID, "1.2.3");
        nested.SetSequence(DicomTags.ConceptNameCodeSequence, code.Clone());
        ds.SetSequence(DicomTags.ReferencedSOPSequence, nested, new DicomDataSet(), code);
        ds.SetSequence(DicomTags.ReferencedImageSequence); // empty sequence
    }

    internal static void AssertSame(DicomDataSet expected, DicomDataSet actual, bool explicitVR)
    {
        Assert.Equal(expected.Select(e => e.Tag), actual.Select(e => e.Tag));
        foreach (var e in expected)
        {
            var a = actual[e.Tag];
            // Implicit VR cannot carry the VR of a private tag: it comes back UN.
            if (explicitVR || !e.Tag.IsPrivate) Assert.Equal(e.VR, a.VR);
            switch (e)
            {
                case DicomStringElement s:
                    Assert.Equal(s.Values, ((DicomStringElement)a).Values);
                    if (s.VR is DicomVR.ST or DicomVR.LT or DicomVR.UT) Assert.Equal(s.Value, ((DicomStringElement)a).Value);
                    break;
                case DicomBinaryElement b:
                    var data = ((DicomBinaryElement)a).Data.ToArray();
                    Assert.Equal(b.Data.ToArray(), data[..b.Data.Length]);
                    break;
                case DicomSequence sq:
                    var other = (DicomSequence)a;
                    Assert.Equal(sq.Items.Count, other.Items.Count);
                    for (var i = 0; i < sq.Items.Count; i++) AssertSame(sq.Items[i], other.Items[i], explicitVR);
                    break;
            }
        }
    }
}
