using CathLab.LiveFeed.Protocol;
using OpenCvSharp;

namespace CathLab.Console.Recording;

/// <summary>Records received frames into a Motion-JPEG AVI (OpenCV's built-in writer), which VLC, ffplay and
/// most players open. The size is fixed by the first frame; later frames of another size (the tier or the
/// preview size changed) are scaled to it. 16-bit frames are scaled to 8 bits by their own range.</summary>
public sealed class AviRecorder : IDisposable
{
    private readonly string _path;
    private readonly double _fps;
    private readonly Mat _scaled = new();
    private readonly Mat _color = new();
    private readonly Mat _resized = new();
    private VideoWriter? _writer;
    private Size _size;

    public AviRecorder(string path, double fps)
    {
        if (!path.EndsWith(".avi", StringComparison.OrdinalIgnoreCase)) throw new ArgumentException("the recording must be an .avi file", nameof(path));
        if (!(fps > 0 && fps <= 120)) throw new ArgumentOutOfRangeException(nameof(fps), fps, "frame rate must be in (0, 120]");
        _path = path;
        _fps = fps;
    }

    public int FramesWritten { get; private set; }

    public void Write(LiveFrame frame)
    {
        using var decoded = Cv2.ImDecode(frame.Data.Span, frame.Encoding == ImageEncoding.Png16 ? ImreadModes.Unchanged : ImreadModes.Grayscale);
        if (decoded.Empty()) throw new InvalidDataException($"frame {frame.FrameNumber} could not be decoded");
        Mat gray8 = decoded;
        if (decoded.Depth() != MatType.CV_8U)
        {
            Cv2.Normalize(decoded, _scaled, 0, 255, NormTypes.MinMax, (int)MatType.CV_8U);
            gray8 = _scaled;
        }
        if (_writer is null)
        {
            _size = gray8.Size();
            _writer = new VideoWriter(_path, VideoCaptureAPIs.OPENCV_MJPEG, FourCC.MJPG, _fps, _size, true);
            if (!_writer.IsOpened()) throw new IOException($"cannot open {_path} for an MJPEG AVI");
        }
        if (gray8.Size() != _size)
        {
            Cv2.Resize(gray8, _resized, _size, 0, 0, InterpolationFlags.Area);
            gray8 = _resized;
        }
        Cv2.CvtColor(gray8, _color, ColorConversionCodes.GRAY2BGR);
        _writer.Write(_color);
        FramesWritten++;
    }

    public void Dispose()
    {
        _writer?.Release();
        _writer?.Dispose();
        _scaled.Dispose();
        _color.Dispose();
        _resized.Dispose();
    }
}
