using CathLab.Dicom.Dictionary;
using CathLab.Dicom.IO;
using CathLab.Dicom.Iods.Xa;
using CathLab.LiveFeed.Protocol;
using CathLab.LiveFeed.Tiers;
using Google.Protobuf;
using OpenCvSharp;

namespace CathLab.LiveFeed.Review;

/// <summary>The exam's recorded runs as observers see them: the catalog's entries with what their objects say (frames,
/// size), a thumbnail each, and any frame of any run at full lossless quality. Every call opens the object it needs and
/// reads only the frames it needs; thumbnails of completed runs are kept.</summary>
public sealed class RecordedRunLibrary(IRecordedRunCatalog catalog)
{
    public const int DefaultThumbnailWidth = 128;
    public const int MaxThumbnailWidth = 512;
    private readonly Dictionary<(string Path, int Width), byte[]> _thumbnails = [];

    public RecordedRunEntry? Find(string examId, string runId) => catalog.RunsOf(examId).FirstOrDefault(r => r.RunId == runId);

    public IReadOnlyList<RecordedRunInfo> List(string examId, int thumbnailWidth)
    {
        if (thumbnailWidth <= 0) thumbnailWidth = DefaultThumbnailWidth;
        thumbnailWidth = Math.Min(thumbnailWidth, MaxThumbnailWidth);
        return catalog.RunsOf(examId).Select(e => Describe(e, thumbnailWidth)).ToList();
    }

    private RecordedRunInfo Describe(RecordedRunEntry entry, int thumbnailWidth)
    {
        var info = new RecordedRunInfo
        {
            RunId = entry.RunId,
            Number = (uint)Math.Max(0, entry.Number),
            Protocol = entry.Protocol,
            Kind = entry.Kind,
            FrameRate = (float)entry.FrameRate,
            StartedUnixUs = entry.StartedAt.ToUnixTimeMilliseconds() * 1000,
            ReferenceAirKermaMgy = entry.ReferenceAirKermaMilliGray ?? 0,
            DoseAreaProductGycm2 = entry.DoseAreaProductGyCm2 ?? 0,
            Dsa = entry.Dsa,
            Recording = entry.Recording,
        };
        try
        {
            using var reader = XaRunReader.Open(entry.ObjectPath);
            info.Recording = reader.Recording;
            info.Frames = (uint)reader.FrameCount;
            info.Width = (uint)reader.FrameFormat.Columns;
            info.Height = (uint)reader.FrameFormat.Rows;
            info.BitsStored = (uint)BitsStored(reader);
            info.FrameRate = (float)AcquiredRate(entry, reader);
            if (reader.FrameCount > 0) info.ThumbnailJpeg = ByteString.CopyFrom(Thumbnail(reader, entry.ObjectPath, thumbnailWidth));
        }
        catch (Exception e) when (e is DicomFormatException or IOException or NotSupportedException)
        {
            info.Problem = e.Message;
        }
        return info;
    }

    private byte[] Thumbnail(XaRunReader reader, string path, int width)
    {
        var key = (path, width);
        if (!reader.Recording)
        {
            lock (_thumbnails)
                if (_thumbnails.TryGetValue(key, out var kept)) return kept;
        }
        var image = ReadFrame(reader, reader.FrameCount / 2, subtraction: DsaSubtraction.Read(reader));
        using var display = Mat.FromPixelData(image.Height, image.Width, MatType.CV_8UC1, image.Display);
        using var small = new Mat();
        int height = Math.Max(1, (int)Math.Round((double)image.Height * width / image.Width));
        Cv2.Resize(display, small, new Size(width, height), 0, 0, InterpolationFlags.Area);
        Cv2.ImEncode(".jpg", small, out var jpeg, [(int)ImwriteFlags.JpegQuality, 75]);
        if (!reader.Recording)
        {
            lock (_thumbnails) _thumbnails[key] = jpeg;
        }
        return jpeg;
    }

    /// <summary>Frame <paramref name="frameNumber"/> (1-based) of a run as a 16-bit PNG.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The run has no such frame (yet).</exception>
    /// <exception cref="DicomFormatException">The object or the frame is damaged.</exception>
    public FetchedFrame FetchLossless(RecordedRunEntry entry, long frameNumber)
    {
        using var reader = XaRunReader.Open(entry.ObjectPath);
        if (frameNumber < 1 || frameNumber > int.MaxValue) throw new ArgumentOutOfRangeException(nameof(frameNumber), frameNumber, "frame numbers start at 1");
        var image = ReadFrame(reader, (int)frameNumber - 1, subtraction: DsaSubtraction.Read(reader));
        return new FetchedFrame
        {
            FrameNumber = (ulong)frameNumber,
            Encoding = ImageEncoding.Png16,
            Width = (uint)image.Width,
            Height = (uint)image.Height,
            BitsStored = (uint)image.BitsStored,
            Data = UnsafeByteOperations.UnsafeWrap(TierEncoder.EncodeLossless(image.Processed, image.Width, image.Height)),
        };
    }

    /// <summary>Frame <paramref name="index"/> (0-based) read and converted, subtracted where the run's
    /// <paramref name="subtraction"/> applies.</summary>
    internal static RecordedFrameImage ReadFrame(XaRunReader reader, int index, RecordedFrameImage? into = null, DsaSubtraction? subtraction = null)
    {
        var image = into ?? new RecordedFrameImage();
        reader.ReadFrame(index, image.StoredBuffer(reader.FrameFormat, BitsStored(reader)));
        image.Convert(subtraction, index + 1);
        return image;
    }

    internal static int BitsStored(XaRunReader reader) => reader.DataSet.GetIntOrDefault(DicomTags.BitsStored, reader.FrameFormat.BitsAllocated);

    /// <summary>The acquired rate: the catalog's, else 1000 / Frame Time (a decimal), else Cine Rate (an integer); 15 when none is known.</summary>
    internal static double AcquiredRate(RecordedRunEntry entry, XaRunReader reader)
    {
        if (entry.FrameRate > 0) return entry.FrameRate;
        double frameTimeMs = reader.DataSet.GetDoubleOrDefault(DicomTags.FrameTime, 0);
        if (frameTimeMs > 0) return 1000 / frameTimeMs;
        int cine = reader.DataSet.GetIntOrDefault(DicomTags.CineRate, 0);
        return cine > 0 ? cine : 15;
    }
}
