using System.Diagnostics;
using System.Runtime.InteropServices;
using CathLab.Acquisition.Frames;
using CathLab.Wire.Generator;
using Microsoft.Extensions.Logging;
using OpenCvSharp;

namespace CathLab.Acquisition.Sources;

/// <summary>A capture card behind an analogue camera (a V4L2 device such as /dev/video0), or a video file, through
/// OpenCV's VideoCapture. Grabs on its own thread, turns each image into 16-bit grey of the configured size (8-bit
/// cameras give BitsStored 8) in a pooled frame, and counts a frame as lost when no buffer is free. A file ends the
/// source at its end unless <see cref="VideoCaptureSourceOptions.Loop"/> is set.</summary>
public sealed class VideoCaptureSource : IFrameSource
{
    private readonly VideoCaptureSourceOptions _options;
    private readonly FramePool _pool;
    private readonly ILogger<VideoCaptureSource> _logger;
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Mat _image = new();
    private readonly Mat _grey = new();
    private readonly Mat _resized = new();
    private VideoCapture? _capture;
    private Thread? _thread;
    private volatile bool _stop;
    private long _sequence;
    private long _received;
    private long _lost;
    private int _exposureKind;

    public VideoCaptureSource(VideoCaptureSourceOptions options, FramePool pool, ILogger<VideoCaptureSource> logger)
    {
        options.Validate();
        if (options.Width * options.Height > pool.MaxPixelsPerFrame)
            throw new ArgumentException($"{options.Width}×{options.Height} frames do not fit the pool's {pool.MaxPixelsPerFrame}-pixel buffers", nameof(pool));
        _options = options;
        _pool = pool;
        _logger = logger;
    }

    public string Description => $"video capture {_options.Path} ({_options.Width}×{_options.Height})";

    public event Action<Frame>? FrameArrived;
    public event Action<long>? FramesLost;

    public long Received => Interlocked.Read(ref _received);
    public long Lost => Interlocked.Read(ref _lost);

    /// <summary>Completes when grabbing stops: at the end of a file (not looping), on a read failure (faulted), or at dispose.</summary>
    public Task Completion => _completion.Task;

    /// <summary>The exposure now under way, which frames are marked with (the camera cannot say); null when none.
    /// The host sets it from the exposure controller.</summary>
    public ExposureKind? CurrentExposure
    {
        get { int k = Volatile.Read(ref _exposureKind); return k == 0 ? null : (ExposureKind)k; }
        set => Volatile.Write(ref _exposureKind, value is { } kind ? (int)kind : 0);
    }

    private bool IsDevice => _options.Path.StartsWith("/dev/", StringComparison.Ordinal);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_capture is not null) throw new InvalidOperationException("the video capture source is already started");
        cancellationToken.ThrowIfCancellationRequested();
        if (!IsDevice && !File.Exists(_options.Path))
            throw new FileNotFoundException($"video file '{_options.Path}' does not exist", _options.Path);
        if (IsDevice && !File.Exists(_options.Path))
            throw new IOException($"video capture device '{_options.Path}' does not exist (is the capture card connected and its V4L2 driver loaded?)");
        var capture = new VideoCapture(_options.Path, IsDevice ? VideoCaptureAPIs.V4L2 : VideoCaptureAPIs.ANY);
        if (!capture.IsOpened())
        {
            capture.Dispose();
            throw new IOException(IsDevice
                ? $"cannot open video capture device '{_options.Path}' through V4L2 (busy, not a capture device, or no permission)"
                : $"cannot open video file '{_options.Path}': not a video OpenCV can decode");
        }
        _capture = capture;
        _logger.LogInformation("{Description} opened ({Backend}, {Width}×{Height} at {Fps} fps)", Description, capture.GetBackendName(), capture.FrameWidth, capture.FrameHeight, capture.Fps);
        _thread = new Thread(GrabLoop) { IsBackground = true, Name = "video capture" };
        _thread.Start();
        return Task.CompletedTask;
    }

    /// <summary>An analogue camera behind a capture card has no shutter the station controls: it cannot make dark frames.</summary>
    public Task RequestDarkFramesAsync(int count, CancellationToken cancellationToken) =>
        Task.FromException(new NotSupportedException(
            $"{Description} cannot make dark frames on request: an analogue camera has no detector readout without exposure; calibrate its offset with the X-ray off instead"));

    private void GrabLoop()
    {
        var capture = _capture!;
        var clock = Stopwatch.StartNew();
        double fps = capture.Fps;
        bool pace = !IsDevice && _options.PaceFile && fps > 0 && fps < 1000;
        long frameInFile = 0;
        try
        {
            while (!_stop)
            {
                if (!capture.Read(_image) || _image.Empty())
                {
                    if (IsDevice) throw new IOException($"video capture device '{_options.Path}' stopped delivering images");
                    if (!_options.Loop || frameInFile == 0) break;
                    capture.Set(VideoCaptureProperties.PosFrames, 0);
                    continue;
                }
                frameInFile++;
                if (pace)
                {
                    var due = TimeSpan.FromSeconds(_sequence / fps);
                    var wait = due - clock.Elapsed;
                    if (wait > TimeSpan.Zero) Thread.Sleep(wait);
                }
                Deliver((long)clock.Elapsed.TotalMicroseconds);
            }
            _logger.LogInformation("{Description} ended after {Frames} frames ({Lost} lost)", Description, Received, Lost);
            _completion.TrySetResult();
        }
        catch (Exception e) when (!_stop)
        {
            _logger.LogError(e, "{Description} failed", Description);
            _completion.TrySetException(e);
        }
        finally
        {
            _completion.TrySetResult();
        }
    }

    private void Deliver(long timestampMicroseconds)
    {
        long sequence = ++_sequence;
        if (!_pool.TryRent(out var frame))
        {
            Interlocked.Increment(ref _lost);
            FramesLost?.Invoke(1);
            return;
        }
        try
        {
            int bits = ToGrey(frame);
            frame.Info = new FrameInfo(sequence, 0, timestampMicroseconds, _options.Width, _options.Height, bits, default, CurrentExposure, 0, false)
            {
                ReceivedTimestamp = Stopwatch.GetTimestamp(),
            };
        }
        catch
        {
            frame.Release();
            throw;
        }
        Interlocked.Increment(ref _received);
        var handler = FrameArrived;
        if (handler is null) frame.Release();
        else handler(frame);
    }

    /// <summary>Converts the grabbed image to grey of the configured size in the frame's pixels; returns the bits stored.</summary>
    private int ToGrey(Frame frame)
    {
        var grey = _image;
        if (_image.Channels() == 3) { Cv2.CvtColor(_image, _grey, ColorConversionCodes.BGR2GRAY); grey = _grey; }
        else if (_image.Channels() == 4) { Cv2.CvtColor(_image, _grey, ColorConversionCodes.BGRA2GRAY); grey = _grey; }
        else if (_image.Channels() != 1) throw new InvalidDataException($"{Description} delivered images of {_image.Channels()} channels");
        if (grey.Width != _options.Width || grey.Height != _options.Height)
        {
            Cv2.Resize(grey, _resized, new Size(_options.Width, _options.Height), 0, 0, InterpolationFlags.Area);
            grey = _resized;
        }
        if (!grey.IsContinuous()) grey = grey.Clone();
        var pixels = MemoryMarshal.Cast<byte, ushort>(frame.BytesFor(_options.Width * _options.Height).Span);
        int depth = grey.Depth();
        if (depth == MatType.CV_8U)
        {
            var source = grey.AsSpan<byte>();
            for (int i = 0; i < pixels.Length; i++) pixels[i] = source[i];
            return 8;
        }
        if (depth == MatType.CV_16U)
        {
            grey.AsSpan<ushort>().CopyTo(pixels);
            return 16;
        }
        throw new InvalidDataException($"{Description} delivered images of depth {depth}; only 8- and 16-bit images are understood");
    }

    public async ValueTask DisposeAsync()
    {
        _stop = true;
        if (_thread is not null) await Task.Run(_thread.Join);
        _capture?.Dispose();
        _image.Dispose();
        _grey.Dispose();
        _resized.Dispose();
    }
}

/// <summary>Where a <see cref="VideoCaptureSource"/> reads from and the frame size it delivers (the detector's
/// 1024×1024, or the 512×512 mode); images of another size are resized.</summary>
public sealed record VideoCaptureSourceOptions
{
    /// <summary>A V4L2 device (/dev/video0) or a video file.</summary>
    public required string Path { get; init; }

    public int Width { get; init; } = 1024;

    public int Height { get; init; } = 1024;

    /// <summary>Start a file again at its end instead of stopping.</summary>
    public bool Loop { get; init; }

    /// <summary>Deliver a file's frames at its own frame rate rather than as fast as they decode.</summary>
    public bool PaceFile { get; init; } = true;

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Path)) throw new ArgumentException("a video capture source needs a device path or a file", nameof(Path));
        if (Width < 16 || Width > 4096 || Height < 16 || Height > 4096)
            throw new ArgumentOutOfRangeException(nameof(Width), $"frame size {Width}×{Height} must be within 16..4096 on each side");
    }
}
