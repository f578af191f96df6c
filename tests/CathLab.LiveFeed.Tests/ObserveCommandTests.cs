using CathLab.Console.Commands;
using CathLab.LiveFeed.Tests.Support;
using OpenCvSharp;

namespace CathLab.LiveFeed.Tests;

/// <summary><c>cathlab observe</c> end to end against a real server, and its refusals.</summary>
public sealed class ObserveCommandTests : IAsyncLifetime
{
    private LiveFeedTestServer _server = null!;
    private readonly string _dir = Directory.CreateTempSubdirectory("cathlab-observe-").FullName;

    public async Task InitializeAsync() => _server = await LiveFeedTestServer.StartAsync();

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_dir, true);
    }

    private static async Task<(int Exit, string Out, string Err)> Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        using var hang = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        int exit = await CommandTable.DispatchAsync(args, output, error, hang.Token);
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task RecordsAnAviThatOpenCvReadsBack()
    {
        using var pump = new FramePump(_server.Hub, SimulatedFrameSet.Full, 15).Start();
        string avi = Path.Combine(_dir, "live.avi");
        var (exit, output, error) = await Run("observe", "--server", _server.Address.ToString(), "--token", LiveFeedTestServer.ObserverToken,
            "--exam", LiveFeedTestServer.Exam, "--tier", "preview", "--duration", "4", "--record", avi);
        Assert.True(exit == 0, error);
        Assert.Contains("frames", output);
        Assert.Matches(@"recorded [1-9]\d* frames", output);

        using var capture = new VideoCapture(avi, VideoCaptureAPIs.OPENCV_MJPEG);
        Assert.True(capture.IsOpened(), "OpenCV cannot open the recording");
        int frames = 0;
        using var frame = new Mat();
        while (capture.Read(frame) && !frame.Empty())
        {
            frames++;
            Assert.Equal(256, frame.Width);
        }
        Assert.True(frames > 0);
    }

    [Fact]
    public async Task AWrongTokenExitsWithRefused()
    {
        var (exit, _, error) = await Run("observe", "--server", _server.Address.ToString(), "--token", "nope", "--exam", LiveFeedTestServer.Exam, "--duration", "5");
        Assert.Equal(ExitCodes.Refused, exit);
        Assert.Contains("Unauthenticated", error);
    }

    [Theory]
    [InlineData("observe")]
    [InlineData("observe", "--server", "ftp://x", "--token", "t", "--exam", "e")]
    [InlineData("observe", "--server", "http://127.0.0.1:1", "--token", "t", "--exam", "e", "--tier", "best")]
    [InlineData("observe", "--server", "http://127.0.0.1:1", "--token", "t", "--exam", "e", "--max-fps", "-3")]
    [InlineData("observe", "--server", "http://127.0.0.1:1", "--token", "t", "--exam", "e", "--record", "x.mp4")]
    [InlineData("observe", "--server", "http://127.0.0.1:1", "--token", "t", "--exam", "e", "--record", "x.webm")]
    [InlineData("observe", "--server", "http://127.0.0.1:1", "--token", "t", "--exam", "e", "--codec", "vp8", "--record", "x.avi")]
    [InlineData("observe", "--server", "http://127.0.0.1:1", "--token", "t", "--exam", "e", "--codec", "h264")]
    [InlineData("observe", "--bogus")]
    [InlineData("frobnicate")]
    public async Task BadCommandLinesAreUsageErrors(params string[] args)
    {
        var (exit, _, error) = await Run(args);
        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("usage", error);
    }

    [Fact]
    public async Task HelpListsObserve()
    {
        var (exit, output, _) = await Run("help");
        Assert.Equal(0, exit);
        Assert.Contains("observe", output);
    }
}
