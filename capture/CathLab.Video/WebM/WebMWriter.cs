namespace CathLab.Video.WebM;

/// <summary>Writes a VP8 or VP9 stream into a WebM file (Matroska's EBML header, Segment, Info, Tracks and Clusters
/// of SimpleBlocks), as the WebM and Matroska specifications lay it out. One video track; a cluster starts at each
/// key frame (and at least every 30 s, the reach of a block's 16-bit relative timestamp), so a player can start at
/// any cluster. Timestamps are in milliseconds. Sizes and the duration are patched when the writer is disposed,
/// so the stream must be seekable.</summary>
public sealed class WebMWriter : IDisposable
{
    private const uint EbmlId = 0x1A45DFA3, EbmlVersion = 0x4286, EbmlReadVersion = 0x42F7, EbmlMaxIdLength = 0x42F2,
        EbmlMaxSizeLength = 0x42F3, DocType = 0x4282, DocTypeVersion = 0x4287, DocTypeReadVersion = 0x4285;
    private const uint Segment = 0x18538067, Info = 0x1549A966, TimestampScale = 0x2AD7B1, MuxingApp = 0x4D80, WritingApp = 0x5741, Duration = 0x4489;
    private const uint Tracks = 0x1654AE6B, TrackEntry = 0xAE, TrackNumber = 0xD7, TrackUid = 0x73C5, TrackType = 0x83, FlagLacing = 0x9C,
        CodecId = 0x86, DefaultDuration = 0x23E383, Video = 0xE0, PixelWidth = 0xB0, PixelHeight = 0xBA;
    private const uint Cluster = 0x1F43B675, ClusterTimestamp = 0xE7, SimpleBlock = 0xA3;
    private const int MaxRelativeMs = short.MaxValue;

    private readonly EbmlWriter _ebml;
    private readonly long _segmentAt;
    private readonly long _durationAt;
    private readonly double _frameMs;
    private long _clusterAt = -1;
    private long _clusterMs;
    private long _lastMs = -1;
    private bool _disposed;

    public WebMWriter(Stream stream, VideoCodec codec, int width, int height, int framesPerSecond)
    {
        if (!stream.CanSeek || !stream.CanWrite) throw new ArgumentException("a WebM file is written to a seekable stream (its sizes are patched at the end)", nameof(stream));
        _ebml = new EbmlWriter(stream);
        _frameMs = 1000.0 / framesPerSecond;

        long header = _ebml.Open(EbmlId);
        _ebml.Unsigned(EbmlVersion, 1);
        _ebml.Unsigned(EbmlReadVersion, 1);
        _ebml.Unsigned(EbmlMaxIdLength, 4);
        _ebml.Unsigned(EbmlMaxSizeLength, 8);
        _ebml.Text(DocType, "webm");
        _ebml.Unsigned(DocTypeVersion, 4);
        _ebml.Unsigned(DocTypeReadVersion, 2);
        _ebml.Close(header);

        _segmentAt = _ebml.Open(Segment);
        long info = _ebml.Open(Info);
        _ebml.Unsigned(TimestampScale, 1_000_000);
        _ebml.Text(MuxingApp, "CathLab.Video");
        _ebml.Text(WritingApp, "CathLab.Video");
        _durationAt = _ebml.Position;
        _ebml.Float(Duration, 0);
        _ebml.Close(info);

        long tracks = _ebml.Open(Tracks);
        long entry = _ebml.Open(TrackEntry);
        _ebml.Unsigned(TrackNumber, 1);
        _ebml.Unsigned(TrackUid, 1);
        _ebml.Unsigned(TrackType, 1);
        _ebml.Unsigned(FlagLacing, 0);
        _ebml.Text(CodecId, codec == VideoCodec.Vp8 ? "V_VP8" : "V_VP9");
        _ebml.Unsigned(DefaultDuration, (ulong)Math.Round(1e9 / framesPerSecond));
        long video = _ebml.Open(Video);
        _ebml.Unsigned(PixelWidth, (ulong)width);
        _ebml.Unsigned(PixelHeight, (ulong)height);
        _ebml.Close(video);
        _ebml.Close(entry);
        _ebml.Close(tracks);
    }

    /// <summary>Frames written so far.</summary>
    public int Frames { get; private set; }

    /// <summary>Appends one compressed frame shown at <paramref name="timestampMs"/> (increasing). Until the first
    /// key frame, frames are skipped (a recording that joins a stream mid-way starts at a picture); returns
    /// whether this one was written.</summary>
    public bool Write(ReadOnlySpan<byte> frame, bool keyFrame, long timestampMs)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (timestampMs <= _lastMs) throw new ArgumentOutOfRangeException(nameof(timestampMs), timestampMs, $"timestamps must increase (last was {_lastMs} ms)");
        if (_clusterAt < 0 && !keyFrame) return false;
        if (_clusterAt < 0 || keyFrame || timestampMs - _clusterMs > MaxRelativeMs)
        {
            if (_clusterAt >= 0) _ebml.Close(_clusterAt);
            _clusterAt = _ebml.Open(Cluster);
            _clusterMs = timestampMs;
            _ebml.Unsigned(ClusterTimestamp, (ulong)timestampMs);
        }
        // SimpleBlock: track number (vint), timestamp relative to the cluster (signed 16-bit), flags (0x80: key frame).
        _ebml.Id(SimpleBlock);
        _ebml.Size(4 + frame.Length);
        var stream = _ebml.Stream;
        short relative = (short)(timestampMs - _clusterMs);
        stream.WriteByte(0x81);
        stream.WriteByte((byte)(relative >> 8));
        stream.WriteByte((byte)relative);
        stream.WriteByte(keyFrame ? (byte)0x80 : (byte)0);
        stream.Write(frame);
        _lastMs = timestampMs;
        Frames++;
        return true;
    }

    /// <summary>Closes the last cluster and the segment and writes the duration (the last frame's end).</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_clusterAt >= 0) _ebml.Close(_clusterAt);
        _ebml.Close(_segmentAt);
        long end = _ebml.Position;
        _ebml.Stream.Position = _durationAt;
        _ebml.Float(Duration, Frames == 0 ? 0 : _lastMs + _frameMs);
        _ebml.Stream.Position = end;
        _ebml.Stream.Flush();
    }
}
