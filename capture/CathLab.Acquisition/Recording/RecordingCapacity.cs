using CathLab.Dicom.Codecs;
using CathLab.Dicom.Data;
using CathLab.Dicom.IO;

namespace CathLab.Acquisition.Recording;

/// <summary>
/// How many frames of a given size one run can still hold: uncompressed Pixel Data has a 32-bit length, so a native
/// object stops at 4 GiB (2047 frames of 1024 x 1024 x 16 bit); an encapsulated one (JPEG-LS or RLE Lossless, one fragment
/// per frame) has no such bound. Either way the spool's free space, less a reserve, bounds it too, counted at the worst case
/// a real frame can take (the codec's PlanningEncodedLength: for RLE its exact worst case, for JPEG-LS the precision plus an
/// eighth, above full-range noise; T.87's own limit is 4 to 5 times the raw frame and only crafted data comes near it). The station ends the exposure before a run reaches it, so a long run is kept whole instead of failing when
/// the object or the disk is full.
/// </summary>
public readonly record struct RecordingCapacity(long Frames, string LimitedBy)
{
    /// <summary>Largest native Pixel Data value: the length is a 32-bit field, 0xFFFFFFFF means undefined, and it must be even.</summary>
    public const long NativePixelDataLimit = 0xFFFFFFFEL;

    /// <summary>Per-frame bytes besides the pixels (a fragment's item header, the frame's functional records are in the header).</summary>
    private const int FragmentOverhead = 8;

    public static RecordingCapacity For(DicomTransferSyntax syntax, DicomFrameFormat format, long spoolFreeBytes, long spoolReserveBytes)
    {
        long worstFrame = syntax.IsEncapsulated ? DicomFrameCodecs.For(syntax).PlanningEncodedLength(format) + FragmentOverhead : format.FrameLength;
        var byDisk = new RecordingCapacity(Math.Max(0, spoolFreeBytes - spoolReserveBytes) / worstFrame,
            $"the spool's free space ({spoolFreeBytes / (1 << 20)} MiB, {spoolReserveBytes / (1 << 20)} MiB kept free)");
        if (syntax.IsEncapsulated) return byDisk;
        long byLength = NativePixelDataLimit / format.FrameLength;
        return byLength <= byDisk.Frames ? new RecordingCapacity(byLength, $"the 4 GiB limit of uncompressed pixel data in {syntax.Name}") : byDisk;
    }

    /// <summary>Free bytes on the file system that holds <paramref name="folder"/> (which must exist).</summary>
    public static long FreeBytes(string folder) => new DriveInfo(Path.GetFullPath(folder)).AvailableFreeSpace;
}
