using System.Security.Cryptography;
using CathLab.Dicom.Data;
using CathLab.Dicom.Dictionary;
using CathLab.Dicom.Uids;

namespace CathLab.Dicom.Tests.Support;

/// <summary>Data sets and frames the tests write: a small XA-like multi-frame header and synthetic frames.</summary>
internal static class TestObjects
{
    public static DicomDataSet XaHeader(int rows, int columns, int bitsAllocated, int frames = 1)
    {
        var ds = new DicomDataSet()
            .SetString(DicomTags.SpecificCharacterSet, DicomCharacterSet.Latin1)
            .SetString(DicomTags.ImageType, "ORIGINAL", "PRIMARY", "SINGLE PLANE")
            .SetString(DicomTags.SOPClassUID, DicomUids.XRayAngiographicImageStorage)
            .SetString(DicomTags.SOPInstanceUID, DicomUidGenerator.NewUid())
            .SetString(DicomTags.StudyDate, "20261124")
            .SetString(DicomTags.Modality, "XA")
            .SetString(DicomTags.PatientName, "Müller^Jürgen")
            .SetString(DicomTags.PatientID, "PID-0042")
            .SetString(DicomTags.StudyInstanceUID, DicomUidGenerator.NewUid())
            .SetString(DicomTags.SeriesInstanceUID, DicomUidGenerator.NewUid())
            .SetInt(DicomTags.SeriesNumber, 1)
            .SetInt(DicomTags.InstanceNumber, 1)
            .SetDouble(DicomTags.FrameTime, 66.5)
            .SetInt(DicomTags.SamplesPerPixel, 1)
            .SetString(DicomTags.PhotometricInterpretation, "MONOCHROME2")
            .SetInt(DicomTags.Rows, rows)
            .SetInt(DicomTags.Columns, columns)
            .SetInt(DicomTags.BitsAllocated, bitsAllocated)
            .SetInt(DicomTags.BitsStored, bitsAllocated == 16 ? 12 : 8)
            .SetInt(DicomTags.HighBit, bitsAllocated == 16 ? 11 : 7)
            .SetInt(DicomTags.PixelRepresentation, 0);
        if (frames > 1)
        {
            ds.SetInt(DicomTags.NumberOfFrames, frames);
            ds.SetTags(DicomTags.FrameIncrementPointer, DicomTags.FrameTime);
        }
        return ds;
    }

    /// <summary>A frame with flat areas, gradients and noise, so RLE meets replicate and literal runs.</summary>
    public static byte[] Frame(int rows, int columns, int bitsAllocated, int seed)
    {
        var bytesPerPixel = bitsAllocated / 8;
        var frame = new byte[rows * columns * bytesPerPixel];
        var random = new Random(seed);
        for (var r = 0; r < rows; r++)
        for (var c = 0; c < columns; c++)
        {
            int v;
            if (r < rows / 4) v = 100 + seed;                       // flat
            else if (r < rows / 2) v = (c * 7 + r + seed) & 0xFFF;   // gradient
            else v = random.Next(0, 4096);                           // noise
            var i = (r * columns + c) * bytesPerPixel;
            if (bytesPerPixel == 1) frame[i] = (byte)v;
            else
            {
                frame[i] = (byte)v;
                frame[i + 1] = (byte)(v >> 8);
            }
        }
        return frame;
    }

    public static string Md5(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(MD5.HashData(data));
}
