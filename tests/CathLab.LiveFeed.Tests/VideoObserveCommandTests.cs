using System.Text.RegularExpressions;
using CathLab.Console.Commands;
using CathLab.Console.Recording;
using CathLab.Console.Video;
using CathLab.LiveFeed.Hosting;
using CathLab.LiveFeed.Protocol;
using CathLab.LiveFeed.Tests.Support;
using CathLab.LiveFeed.Video;
using CathLab.Testing;
using CathLab.Video;
using Google.Protobuf;

namespace CathLab.LiveFeed.Tests;

/// <summary><c>cathlab observe --codec vp8</c>: the console decodes the station's VP8 video with libvpx and records
/// it as it came into WebM, which ffprobe reads without a warning; a change of size starts a new file.</summary>
public sealed partial class VideoObserveCommandTests
{
    [Fact]
    public async Task Observe_vp8_records_a_webm_that_ffprobe_reads_without_warnings()
    {
        var rung = new VideoEncodingOption { Size = 256, TargetKbps = 300, FramesPerSecond = 15 };
        await using var server = await LiveFeedTestServer.StartAsync(new LiveFeedOptions { Tokens = LiveFeedTestServer.Tokens, VideoEncodings = [rung] });
        using var pump = new FramePump(server.Hub, SimulatedFrameSet.Full, 15).Start();
        using var directory = new TempDirectory();
        string webm = directory.File("exam.webm");
        var output = new StringWriter();
        var error = new StringWriter();
        using var hang = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        int exit = await CommandTable.DispatchAsync(["observe", "--server", server.Address.ToString(), "--token", LiveFeedTestServer.ObserverToken,
            "--exam", LiveFeedTestServer.Exam, "--codec", "vp8", "--duration", "3", "--record", webm], output, error, hang.Token);

        Assert.True(exit == 0, error.ToString());
        var recorded = RecordedLine().Match(output.ToString());
        Assert.True(recorded.Success, output.ToString());
        int frames = int.Parse(recorded.Groups[1].Value);
        Assert.True(frames > 0);
        Assert.Matches(@"vp8 pictures +[1-9]\d* .*key frames [1-9]", output.ToString());
        Assert.Single(directory.Files); // one rung, one size: one file

        var probe = WebMProbe.Of(webm);
        Assert.True(probe.ExitCode == 0 && probe.Warnings == "", probe.Warnings);
        Assert.Equal("vp8", probe.Fields["codec_name"]);
        Assert.Equal((256, 256), (probe.Width, probe.Height));
        Assert.Equal(frames, probe.Frames);
    }

    [Fact]
    public void A_change_of_size_starts_a_new_file_at_its_key_frame_and_each_file_reads_cleanly()
    {
        using var directory = new TempDirectory();
        string path = directory.File("exam.webm");
        var stream = new EncodedStream();
        using (var recording = new WebMRecording(path, 15))
        {
            Assert.False(recording.Write(stream.Frame(256, keyFrame: false)));  // joined mid-stream: waits for a key frame
            foreach (var frame in stream.Frames(256, 12)) Assert.True(recording.Write(frame));
            Assert.False(recording.Write(stream.Frame(512, keyFrame: false))); // another size, not at a key frame: left out
            foreach (var frame in stream.Frames(512, 9)) Assert.True(recording.Write(frame));
            Assert.Equal([path, directory.File("exam-2.webm")], recording.Files);
            Assert.Equal(21, recording.FramesWritten);
        }

        foreach (var (file, size, count) in new[] { ("exam.webm", 256, 12), ("exam-2.webm", 512, 9) })
        {
            var probe = WebMProbe.Of(directory.File(file));
            Assert.True(probe.ExitCode == 0 && probe.Warnings == "", $"{file}: {probe.Warnings}");
            Assert.Equal((size, size), (probe.Width, probe.Height));
            Assert.Equal(count, probe.Frames);
            var decode = ExternalTool.Run("ffmpeg", "-v", "warning", "-xerror", "-i", directory.File(file), "-f", "null", "-");
            Assert.True(decode.ExitCode == 0 && decode.StdErr == "", decode.All);
        }
    }

    [Fact]
    public void An_inter_frame_after_a_gap_is_not_shown_and_asks_for_one_key_frame()
    {
        int asked = 0;
        var stream = new EncodedStream();
        using var receiver = new Vp8FrameReceiver(() => asked++, TimeProvider.System);
        var frames = stream.Frames(256, 6).ToArray();
        Assert.True(receiver.Receive(frames[0]));
        Assert.True(receiver.Receive(frames[1]));
        Assert.False(receiver.Receive(frames[3])); // frame 2 never came: 3 predicts from a picture this side lacks
        Assert.False(receiver.Receive(frames[4]));
        Assert.Equal(1, asked);                   // once, not per frame (the station answers one request in 0.5 s)
        Assert.Equal(2, receiver.Pictures);
        Assert.True(receiver.Receive(stream.Frames(256, 1).Single())); // the key frame asked for
        Assert.Equal(3, receiver.Pictures);
    }

    [GeneratedRegex(@"recorded (\d+) frames to")]
    private static partial Regex RecordedLine();

    /// <summary>VP8 frames of a moving test pattern as the live feed sends them: a key frame first at each size, in
    /// sequence, 15 fps apart.</summary>
    private sealed class EncodedStream
    {
        private ulong _sequence;
        private long _readyUs = 1_000_000;
        private int _phase;

        public IEnumerable<LiveFrame> Frames(int size, int count)
        {
            using var encoder = new VideoEncoder(new VideoEncoderSettings { Width = size, Height = size, TargetKbps = 300, FramesPerSecond = 15 });
            var picture = new byte[size * size];
            for (int i = 0; i < count; i++)
            {
                _phase++;
                for (int p = 0; p < picture.Length; p++) picture[p] = (byte)((p % size + p / size + 4 * _phase) & 0xFF);
                var encoded = encoder.Encode(picture);
                var frame = new LiveFrame
                {
                    Encoding = ImageEncoding.Vp8, Width = (uint)size, Height = (uint)size, KeyFrame = encoded.IsKeyFrame,
                    Sequence = ++_sequence, ReadyUnixUs = _readyUs += 66_667, Data = ByteString.CopyFrom(encoded.Span),
                };
                encoded.Release();
                yield return frame;
            }
        }

        public LiveFrame Frame(int size, bool keyFrame) => new()
        {
            Encoding = ImageEncoding.Vp8, Width = (uint)size, Height = (uint)size, KeyFrame = keyFrame, Sequence = ++_sequence,
            ReadyUnixUs = _readyUs += 66_667, Data = ByteString.CopyFrom([1, 2, 3]),
        };
    }
}
