using System.Collections.Concurrent;
using CathLab.Acquisition.Frames;
using CathLab.Acquisition.Sources;
using CathLab.Wire.Generator;
using Microsoft.Extensions.Logging.Abstractions;
using OpenCvSharp;

namespace CathLab.Acquisition.Tests;

public sealed class VideoCaptureSourceTests : IDisposable
{
    private const int Frames = 12;
    private readonly string _folder = Directory.CreateTempSubdirectory("cathlab-video-").FullName;
    private readonly FramePool _pool = new(4, 128 * 128);
    private readonly ConcurrentQueue<(FrameInfo Info, ushort Centre, ushort Max)> _arrived = new();

    /// <summary>Writes a Motion-JPEG AVI of <see cref="Frames"/> colour frames whose grey level rises by 10 a frame.</summary>
    private string WriteVideo(int width = 320, int height = 240)
    {
        string path = Path.Combine(_folder, $"camera-{width}x{height}.avi");
        using var writer = new VideoWriter(path, VideoCaptureAPIs.OPENCV_MJPEG, FourCC.MJPG, 25, new Size(width, height), true);
        Assert.True(writer.IsOpened(), "OpenCV cannot write an MJPG AVI here");
        using var image = new Mat(height, width, MatType.CV_8UC3);
        for (int i = 0; i < Frames; i++)
        {
            image.SetTo(new Scalar(40 + 10 * i, 40 + 10 * i, 40 + 10 * i));
            writer.Write(image);
        }
        return path;
    }

    private VideoCaptureSource Source(string path, bool loop = false, bool release = true)
    {
        var source = new VideoCaptureSource(new VideoCaptureSourceOptions { Path = path, Width = 128, Height = 128, Loop = loop, PaceFile = false }, _pool, NullLogger<VideoCaptureSource>.Instance);
        source.FrameArrived += frame =>
        {
            var pixels = frame.Pixels;
            ushort max = 0;
            foreach (var p in pixels) max = Math.Max(max, p);
            _arrived.Enqueue((frame.Info, pixels[64 * 128 + 64], max));
            if (release) frame.Release();
        };
        return source;
    }

    [Fact]
    public async Task A_video_file_is_read_to_its_end_as_grey_frames_of_the_configured_size()
    {
        await using var source = Source(WriteVideo());
        source.CurrentExposure = ExposureKind.Fluoro;
        await source.StartAsync(CancellationToken.None);
        await source.Completion.WaitAsync(TimeSpan.FromMinutes(1));
        var frames = _arrived.ToArray();
        Assert.Equal(Frames, frames.Length);
        Assert.Equal(Frames, source.Received);
        Assert.Equal(0, source.Lost);
        Assert.Equal(Enumerable.Range(1, Frames).Select(i => (long)i), frames.Select(f => f.Info.Sequence));
        Assert.All(frames, f =>
        {
            Assert.Equal((128, 128, 8), (f.Info.Width, f.Info.Height, f.Info.BitsStored));
            Assert.Equal(ExposureKind.Fluoro, f.Info.Kind);
            Assert.False(f.Info.Dark);
            Assert.NotEqual(0, f.Info.ReceivedTimestamp);
            Assert.True(f.Max <= 255, "8-bit images stay within 8 bits stored");
        });
        for (int i = 0; i < Frames; i++) Assert.InRange(frames[i].Centre, 40 + 10 * i - 4, 40 + 10 * i + 4); // MJPEG is lossy
        Assert.True(frames.Zip(frames.Skip(1)).All(p => p.First.Info.TimestampMicroseconds <= p.Second.Info.TimestampMicroseconds));
        Assert.Equal(_pool.Capacity, _pool.Available);
    }

    [Fact]
    public async Task A_looping_file_starts_again_at_its_end()
    {
        await using var source = Source(WriteVideo(128, 128), loop: true);
        await source.StartAsync(CancellationToken.None);
        for (int i = 0; i < 3000 && _arrived.Count < 2 * Frames + 3; i++) await Task.Delay(10);
        Assert.True(_arrived.Count >= 2 * Frames + 3);
        Assert.False(source.Completion.IsCompleted);
        var levels = _arrived.Take(Frames + 1).Select(f => f.Centre).ToArray();
        Assert.InRange(levels[Frames], 36, 44); // frame 13 is the file's first again
    }

    [Fact]
    public async Task Frames_are_lost_and_counted_when_no_buffer_is_free()
    {
        long lostEvents = 0;
        await using var source = Source(WriteVideo(), release: false);
        source.FramesLost += n => Interlocked.Add(ref lostEvents, n);
        await source.StartAsync(CancellationToken.None);
        await source.Completion.WaitAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(_pool.Capacity, _arrived.Count);
        Assert.Equal(Frames - _pool.Capacity, source.Lost);
        Assert.Equal(source.Lost, Interlocked.Read(ref lostEvents));
        Assert.Equal(Frames, _arrived.Last().Info.Sequence + source.Lost);
    }

    [Fact]
    public async Task A_bad_device_or_file_gives_a_clear_error()
    {
        await using var device = Source("/dev/video-cathlab-none");
        var e = await Assert.ThrowsAsync<IOException>(() => device.StartAsync(CancellationToken.None));
        Assert.Contains("/dev/video-cathlab-none", e.Message);

        string missing = Path.Combine(_folder, "missing.avi");
        await using var file = Source(missing);
        var notFound = await Assert.ThrowsAsync<FileNotFoundException>(() => file.StartAsync(CancellationToken.None));
        Assert.Contains(missing, notFound.Message);

        string text = Path.Combine(_folder, "notes.avi");
        await File.WriteAllTextAsync(text, "this is not a video");
        await using var notVideo = Source(text);
        var undecodable = await Assert.ThrowsAsync<IOException>(() => notVideo.StartAsync(CancellationToken.None));
        Assert.Contains("cannot open video file", undecodable.Message);

        Assert.Throws<ArgumentException>(() => new VideoCaptureSource(new VideoCaptureSourceOptions { Path = text, Width = 1024, Height = 1024 }, _pool, NullLogger<VideoCaptureSource>.Instance));
    }

    [Fact]
    public async Task An_analogue_camera_cannot_make_dark_frames()
    {
        await using var source = Source(WriteVideo());
        var e = await Assert.ThrowsAsync<NotSupportedException>(() => source.RequestDarkFramesAsync(8, CancellationToken.None));
        Assert.Contains("dark frames", e.Message);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
