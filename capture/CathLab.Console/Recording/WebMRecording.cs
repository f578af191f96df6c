using CathLab.LiveFeed.Protocol;
using CathLab.Video;
using CathLab.Video.WebM;

namespace CathLab.Console.Recording;

/// <summary>Records the VP8 frames of a video watch as they came (no re-encode) into WebM. A WebM track has one
/// size, so when the station moves the observer to a rung of another size (always at a key frame) the recording
/// goes on in a new file beside the first: <c>exam.webm</c>, <c>exam-2.webm</c>, <c>exam-3.webm</c>, … Each file
/// starts at a key frame and plays on its own. Timestamps are the frames' ready times at the station, in
/// milliseconds from the file's first frame.</summary>
public sealed class WebMRecording : IDisposable
{
    private readonly string _path;
    private readonly int _framesPerSecond;
    private readonly List<string> _files = [];
    private FileStream? _file;
    private WebMWriter? _writer;
    private uint _width, _height;
    private long _firstReadyUs = -1;
    private long _lastMs = -1;

    public WebMRecording(string path, int framesPerSecond)
    {
        if (!path.EndsWith(".webm", StringComparison.OrdinalIgnoreCase)) throw new ArgumentException("the recording must be a .webm file", nameof(path));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(framesPerSecond);
        _path = path;
        _framesPerSecond = framesPerSecond;
    }

    /// <summary>Frames written, over all files.</summary>
    public int FramesWritten { get; private set; }

    /// <summary>The files written so far, in order.</summary>
    public IReadOnlyList<string> Files => _files;

    /// <summary>Appends one VP8 frame that decoded (the caller has checked it follows the previous one). Frames before
    /// the first key frame, and inter frames of a size other than the file's, are left out.</summary>
    public bool Write(LiveFrame frame)
    {
        if (frame.Encoding != ImageEncoding.Vp8) throw new ArgumentException("only VP8 frames go into a WebM recording", nameof(frame));
        if (_writer is null || frame.Width != _width || frame.Height != _height)
        {
            if (!frame.KeyFrame) return false;
            StartFile(frame.Width, frame.Height);
        }
        if (_firstReadyUs < 0) _firstReadyUs = frame.ReadyUnixUs;
        long ms = Math.Max(_lastMs + 1, (frame.ReadyUnixUs - _firstReadyUs) / 1000);
        if (!_writer!.Write(frame.Data.Span, frame.KeyFrame, ms)) return false;
        _lastMs = ms;
        FramesWritten++;
        return true;
    }

    private void StartFile(uint width, uint height)
    {
        CloseFile();
        string path = _files.Count == 0 ? _path : Path.ChangeExtension(_path, null) + $"-{_files.Count + 1}" + Path.GetExtension(_path);
        _file = File.Create(path);
        _writer = new WebMWriter(_file, VideoCodec.Vp8, (int)width, (int)height, _framesPerSecond);
        _files.Add(path);
        _width = width;
        _height = height;
        _firstReadyUs = -1;
        _lastMs = -1;
    }

    private void CloseFile()
    {
        _writer?.Dispose();
        _file?.Dispose();
        _writer = null;
        _file = null;
    }

    public void Dispose() => CloseFile();
}
