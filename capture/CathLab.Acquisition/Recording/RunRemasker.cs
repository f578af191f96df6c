using System.Buffers;
using CathLab.Dicom.Data;
using CathLab.Dicom.Dictionary;
using CathLab.Dicom.Files;
using CathLab.Dicom.Iods.Xa;
using CathLab.Dicom.Uids;

namespace CathLab.Acquisition.Recording;

/// <summary>A re-issued DSA object: where it is, its new SOP instance UID, and its mask frames.</summary>
public sealed record RemaskedRun(string Path, string SopInstanceUid, int Frames, IReadOnlyList<int> MaskFrameNumbers);

/// <summary>
/// Re-issues a recorded DSA object with other mask frames (after the run, when the technician picks a better mask):
/// the same header and frames under a new SOP instance UID, with the new Mask module. Frames are streamed one at a
/// time from the stored file to "&lt;new&gt;.dcm.partial", renamed when complete; the stored object is not touched.
/// </summary>
public static class RunRemasker
{
    private static readonly DicomTag ReserveCreator = new(0x7FDF, 0x0010);
    private static readonly DicomTag ReserveFiller = new(0x7FDF, 0x1000);

    public static RemaskedRun Remask(string storedPath, IReadOnlyList<int> maskFrameNumbers, string outputFolder, int? instanceNumber = null)
    {
        using var reader = DicomFileReader.Open(storedPath);
        var source = reader.DataSet;
        if (source.GetStringOrDefault(DicomTags.SOPClassUID) != XaImageHeader.SopClassUid)
            throw new ArgumentException($"{storedPath} is not an X-Ray Angiographic image", nameof(storedPath));
        if (!source.Contains(DicomTags.MaskSubtractionSequence))
            throw new ArgumentException($"{storedPath} is not a DSA run (it has no mask module)", nameof(storedPath));
        int frames = reader.FrameCount;
        CheckMask(maskFrameNumbers, frames);

        var header = source.Clone();
        // The recorder's header reserve served the original write; a re-issued object never grows.
        header.Remove(ReserveCreator);
        header.Remove(ReserveFiller);
        var uid = DicomUidGenerator.NewUid();
        header.SetString(DicomTags.SOPInstanceUID, uid);
        if (instanceNumber is { } n)
        {
            if (n < 1) throw new ArgumentOutOfRangeException(nameof(instanceNumber), n, "instance numbers are positive");
            header.SetString(DicomTags.InstanceNumber, n.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        var mask = new DsaMask([.. maskFrameNumbers.Order()]);
        XaImageHeader.SetMask(header, mask, frames);

        Directory.CreateDirectory(outputFolder);
        var path = Path.GetFullPath(Path.Combine(outputFolder, uid + ".dcm"));
        var partial = path + XaRunWriter.PartialSuffix;
        var buffer = ArrayPool<byte>.Shared.Rent(reader.FrameFormat.FrameLength);
        try
        {
            using (var writer = DicomMultiFrameWriter.Create(partial, header, reader.TransferSyntax, reader.Meta.SourceApplicationEntityTitle))
            {
                var frame = buffer.AsSpan(0, writer.Format.FrameLength);
                for (int i = 0; i < frames; i++)
                {
                    reader.ReadFrame(i, frame);
                    writer.WriteFrame(frame);
                }
                writer.Complete();
            }
            File.Move(partial, path);
        }
        catch
        {
            File.Delete(partial);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return new RemaskedRun(path, uid, frames, mask.MaskFrameNumbers);
    }

    /// <summary>Mask frames are 1-based frame numbers inside the run, each once, with at least one frame after them to subtract from.</summary>
    public static void CheckMask(IReadOnlyList<int> maskFrameNumbers, int frames)
    {
        if (maskFrameNumbers.Count == 0) throw new ArgumentException("a DSA mask needs at least one mask frame", nameof(maskFrameNumbers));
        foreach (var n in maskFrameNumbers)
        {
            if (n < 1 || n > frames) throw new ArgumentOutOfRangeException(nameof(maskFrameNumbers), n, $"mask frame {n} is not a frame of this run (1..{frames})");
        }
        if (maskFrameNumbers.Distinct().Count() != maskFrameNumbers.Count) throw new ArgumentException($"mask frames {string.Join(",", maskFrameNumbers)} repeat a frame", nameof(maskFrameNumbers));
        if (maskFrameNumbers.Max() >= frames) throw new ArgumentException($"no frame of the {frames} follows mask frame {maskFrameNumbers.Max()} to subtract the mask from", nameof(maskFrameNumbers));
    }
}
