using CathLab.Dicom.Data;

namespace CathLab.Dicom.Iods.Xa;

/// <summary>
/// A private block (PS3.5 7.8) just before Pixel Data that holds the space the run's header will grow into:
/// at completion the header is rewritten in place with its final values (Number of Frames, Frame Time Vector,
/// averages) and the block shrinks by exactly what the header gained, so the frames never move.
/// </summary>
internal static class HeaderReserve
{
    public const string Creator = "CATHLAB HEADER RESERVE";
    public static readonly DicomTag CreatorTag = new(0x7FDF, 0x0010);
    public static readonly DicomTag FillerTag = new(0x7FDF, 0x1000);

    /// <summary>Bytes reserved for a run of up to <paramref name="frames"/> frames: a Frame Time Vector value and two angle increments per frame, and slack for averages.</summary>
    public static int BytesFor(int frames) => checked(frames * 3 * 9 + 8192);

    public static void Add(DicomDataSet ds, int fillerLength)
    {
        ds.Add(new DicomStringElement(CreatorTag, DicomVR.LO, Creator));
        ds.Add(new DicomBinaryElement(FillerTag, DicomVR.OB, new byte[fillerLength]));
    }
}
