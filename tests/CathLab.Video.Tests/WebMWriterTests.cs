using System.Globalization;
using CathLab.Testing;
using CathLab.Video.WebM;

namespace CathLab.Video.Tests;

/// <summary>The WebM muxer's files are read by an independent demuxer (ffprobe, Debian's ffmpeg) without a
/// warning, with the codec, size, frame count and duration they were written with, and their frames decode.</summary>
public sealed class WebMWriterTests
{
    [Theory]
    [InlineData(VideoCodec.Vp8, "vp8")]
    [InlineData(VideoCodec.Vp9, "vp9")]
    public void Ffprobe_reads_codec_size_frames_and_duration_without_warnings(VideoCodec codec, string ffprobeName)
    {
        using var directory = new TempDirectory();
        string path = Path.Combine(directory.Path, "run.webm");
        var frames = RoundTripTests.Frames512.Value;
        using (var file = File.Create(path))
        using (var writer = new WebMWriter(file, codec, 512, 512, 15))
        using (var encoder = new VideoEncoder(new VideoEncoderSettings { Codec = codec, KeyFrameInterval = 10 }))
        {
            for (int i = 0; i < 45; i++)
            {
                var frame = encoder.Encode(frames.Display[i % frames.Count]);
                Assert.True(writer.Write(frame.Span, frame.IsKeyFrame, i * 1000L / 15));
                frame.Release();
            }
        }
        var probe = WebMProbe.Of(path);
        Assert.Equal(0, probe.ExitCode);
        Assert.Equal("", probe.Warnings);
        var fields = probe.Fields;
        Assert.Equal(ffprobeName, fields["codec_name"]);
        Assert.Equal(512, probe.Width);
        Assert.Equal(512, probe.Height);
        Assert.Equal(45, probe.Frames);
        Assert.Equal(3.0, double.Parse(fields["duration"], CultureInfo.InvariantCulture), 2);
        Assert.Contains("webm", fields["format_name"], StringComparison.Ordinal);

        // Every frame decodes through ffmpeg's own decoder, with nothing on stderr.
        var decode = ExternalTool.Run("ffmpeg", "-v", "warning", "-xerror", "-i", path, "-f", "null", "-");
        Assert.True(decode.ExitCode == 0 && decode.StdErr == "", decode.All);
    }

    [Fact]
    public void A_recording_that_joins_mid_stream_starts_at_a_key_frame()
    {
        using var stream = new MemoryStream();
        using var writer = new WebMWriter(stream, VideoCodec.Vp8, 512, 512, 15);
        Assert.False(writer.Write([1, 2, 3], keyFrame: false, 0));
        Assert.True(writer.Write([4, 5, 6], keyFrame: true, 67));
        Assert.Equal(1, writer.Frames);
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.Write([7], keyFrame: false, 67));
    }
}
