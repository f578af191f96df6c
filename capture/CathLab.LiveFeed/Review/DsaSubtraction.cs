using CathLab.Dicom.Dictionary;
using CathLab.Dicom.IO;
using CathLab.Dicom.Iods.Xa;

namespace CathLab.LiveFeed.Review;

/// <summary>
/// The subtraction a recorded DSA run asks its viewer for: Recommended Viewing Mode SUB and an AVG_SUB item of the Mask
/// Subtraction Sequence (PS3.3 C.7.6.10). The mask frames' average is subtracted from each frame of the item's Applicable
/// Frame Range and offset to the middle of the stored range; frames outside the range are shown as stored. The mask is
/// read once from the object's own frames. Mask Sub-pixel Shift is not applied (the recorder writes none).
/// </summary>
internal sealed class DsaSubtraction
{
    private readonly ushort[] _mask;
    private readonly int _first;
    private readonly int _last;

    private DsaSubtraction(ushort[] mask, int first, int last)
    {
        _mask = mask;
        _first = first;
        _last = last;
    }

    /// <summary>Whether frame <paramref name="frameNumber"/> (1-based) is shown subtracted.</summary>
    public bool Applies(int frameNumber) => frameNumber >= _first && frameNumber <= _last;

    /// <summary>The run's subtraction, or null when the object asks for none, or when its mask frames are not yet
    /// recorded (ask again as the run grows: <see cref="Pending"/>).</summary>
    /// <exception cref="DicomFormatException">The Mask module is malformed, or names frames the run does not have.</exception>
    public static DsaSubtraction? Read(XaRunReader reader)
    {
        var ds = reader.DataSet;
        if (!AsksForSubtraction(reader)) return null;
        if (!ds.TryGetSequence(DicomTags.MaskSubtractionSequence, out var sequence)) return null;
        var item = sequence.Items.FirstOrDefault(i => i.GetStringOrDefault(DicomTags.MaskOperation)?.Trim() == "AVG_SUB");
        if (item is null || !item.Contains(DicomTags.MaskFrameNumbers)) return null;
        var maskFrames = item.GetUInt16Array(DicomTags.MaskFrameNumbers);
        if (maskFrames.Length == 0 || maskFrames.Any(f => f < 1))
            throw new DicomFormatException("Mask Frame Numbers (0028,6110) must name frames from 1");
        if (maskFrames.Any(f => f > reader.FrameCount))
        {
            if (reader.Recording) return null;
            throw new DicomFormatException($"Mask Frame Numbers (0028,6110) name frame {maskFrames.Max()} of a run of {reader.FrameCount}");
        }
        int first = maskFrames.Max() + 1, last = int.MaxValue;
        if (item.TryGetValueCount(DicomTags.ApplicableFrameRange) >= 2)
        {
            first = item.GetInt(DicomTags.ApplicableFrameRange, 0);
            // While recording, the provisional header's range ends at the frames known when it was written.
            if (!reader.Recording) last = item.GetInt(DicomTags.ApplicableFrameRange, 1);
        }
        return new DsaSubtraction(AverageOf(reader, maskFrames), first, last);
    }

    /// <summary>True while <paramref name="reader"/>'s run asks for subtraction but its mask frames are not yet on disk.</summary>
    public static bool Pending(XaRunReader reader) => reader.Recording && AsksForSubtraction(reader);

    private static bool AsksForSubtraction(XaRunReader reader) => reader.DataSet.GetStringOrDefault(DicomTags.RecommendedViewingMode)?.Trim() == "SUB";

    /// <summary>Replaces each stored value v of a frame by v − mask + 2^(bits−1), clamped to the stored range.</summary>
    public void Subtract(Span<ushort> frame, int bitsStored)
    {
        if (frame.Length != _mask.Length) throw new DicomFormatException($"a frame of {frame.Length} pixels in a run whose mask has {_mask.Length}");
        int offset = 1 << (bitsStored - 1), max = (1 << bitsStored) - 1;
        ReadOnlySpan<ushort> mask = _mask;
        for (int i = 0; i < frame.Length; i++)
        {
            frame[i] = (ushort)Math.Clamp(frame[i] - mask[i] + offset, 0, max);
        }
    }

    private static ushort[] AverageOf(XaRunReader reader, ushort[] maskFrames)
    {
        var image = new RecordedFrameImage();
        int[]? sum = null;
        foreach (var number in maskFrames)
        {
            reader.ReadFrame(number - 1, image.StoredBuffer(reader.FrameFormat, RecordedRunLibrary.BitsStored(reader)));
            image.Widen();
            sum ??= new int[image.Processed.Length];
            var pixels = image.Processed;
            for (int i = 0; i < sum.Length; i++) sum[i] += pixels[i];
        }
        var mask = new ushort[sum!.Length];
        int n = maskFrames.Length;
        for (int i = 0; i < mask.Length; i++) mask[i] = (ushort)((sum[i] + n / 2) / n);
        return mask;
    }
}
