using CathLab.Contracts.Client;
using CathLab.Dicom.IO;
using CathLab.LiveFeed.Protocol;
using CathLab.LiveFeed.Tests.Support;
using Grpc.Core;
using Grpc.Net.Client;
using OpenCvSharp;
using LiveFeedClient = CathLab.LiveFeed.Protocol.LiveFeed.LiveFeedClient;

namespace CathLab.LiveFeed.Tests;

/// <summary>Review of recorded runs over gRPC: the run list, playback through an observer session, full-resolution
/// frames of any run, a run still being recorded, and the bad paths (unknown run, frame out of range, damaged file,
/// a token for another exam).</summary>
public sealed class RecordedRunReviewTests : IAsyncLifetime
{
    private readonly RecordedRunFiles _runs = new();
    private LiveFeedTestServer _server = null!;
    private GrpcChannel _channel = null!;
    private LiveFeedClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = await LiveFeedTestServer.StartAsync(recordedRuns: _runs);
        _channel = LiveFeedObserver.CreateChannel(_server.Address);
        _client = new LiveFeedClient(_channel);
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await _server.DisposeAsync();
        _runs.Dispose();
    }

    private static Metadata Bearer(string token = LiveFeedTestServer.ObserverToken) => [new Metadata.Entry("authorization", "Bearer " + token)];

    private static ReviewRequest Request(string runId, float fps = 0, uint start = 0, uint count = 0) =>
        new() { ExamId = LiveFeedTestServer.Exam, RunId = runId, BestTier = Tier.Diagnostic, Fps = fps, StartFrame = start, FrameCount = count, ClientName = "review test" };

    /// <summary>Reviews until <paramref name="done"/> (asked after every message, with the last status and the frames so
    /// far) says so; every frame is acknowledged on arrival. A status may overtake the frames still queued for the session.</summary>
    private async Task<(List<LiveFrame> Frames, List<ReviewStatus> Statuses)> ReviewAsync(ReviewRequest request, Func<ReviewStatus, List<LiveFrame>, bool> done,
        Func<ReviewStatus, IClientStreamWriter<ReviewMessage>, Task>? onStatus = null, LiveFeedClient? client = null)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        using var call = (client ?? _client).Review(Bearer(), cancellationToken: timeout.Token);
        await call.RequestStream.WriteAsync(new ReviewMessage { Review = request });
        var frames = new List<LiveFrame>();
        var statuses = new List<ReviewStatus>();
        while (await call.ResponseStream.MoveNext(timeout.Token))
        {
            var m = call.ResponseStream.Current;
            if (m.KindCase == LiveMessage.KindOneofCase.Frame)
            {
                frames.Add(m.Frame.Clone());
                await call.RequestStream.WriteAsync(new ReviewMessage { Ack = new Ack { FrameNumber = m.Frame.FrameNumber } });
            }
            else if (m.KindCase == LiveMessage.KindOneofCase.Event && m.Event.KindCase == ExamEvent.KindOneofCase.Review)
            {
                statuses.Add(m.Event.Review);
                if (onStatus is not null) await onStatus(m.Event.Review, call.RequestStream);
            }
            if (statuses.Count > 0 && done(statuses[^1], frames)) break;
        }
        await call.RequestStream.CompleteAsync();
        return (frames, statuses);
    }

    /// <summary>The status says playback stopped, and the frame it names as the last one has arrived.</summary>
    private static bool StoppedAndDelivered(ReviewStatus s, List<LiveFrame> frames, params string[] states) =>
        states.Contains(s.State) && (s.FrameNumber == 0 || frames.Any(f => f.FrameNumber == s.FrameNumber && f.RunId == s.RunId));

    [Fact]
    public async Task TheRunListHasEachRunsMetadataAndAThumbnail()
    {
        _runs.Record(1, 30, DicomTransferSyntax.RleLossless, rate: 30, kerma: 12.5);
        _runs.Record(2, 6, DicomTransferSyntax.ExplicitVRLittleEndian, rate: 4, dsa: true);
        var reply = await _client.ListRecordedRunsAsync(new ListRecordedRunsRequest { ExamId = LiveFeedTestServer.Exam, ThumbnailWidth = 96 }, Bearer());
        Assert.Equal(["RUN-1", "RUN-2"], reply.Runs.Select(r => r.RunId));
        var cine = reply.Runs[0];
        Assert.Equal((30u, 30f, false, 512u, 512u, 16u, "cine"), (cine.Frames, cine.FrameRate, cine.Dsa, cine.Width, cine.Height, cine.BitsStored, cine.Kind));
        Assert.Equal(12.5, cine.ReferenceAirKermaMgy, 6);
        Assert.True(cine.StartedUnixUs > 0);
        Assert.Equal("", cine.Problem);
        Assert.True(reply.Runs[1].Dsa);
        Assert.Equal(6u, reply.Runs[1].Frames);
        using var thumb = Cv2.ImDecode(cine.ThumbnailJpeg.ToByteArray(), ImreadModes.Unchanged);
        Assert.Equal((96, 96), (thumb.Width, thumb.Height));
        Assert.Contains(_server.Audit.Recent(), r => r.Action == "list-runs" && r.Subject == "dr-referrer");
    }

    [Fact]
    public async Task ARecorded30FrameRunPlayedAt10FpsArrivesWholeAndInOrder()
    {
        _runs.Record(1, 30, DicomTransferSyntax.RleLossless, rate: 30);
        var (frames, statuses) = await ReviewAsync(Request("RUN-1", fps: 10), (s, f) => StoppedAndDelivered(s, f, "ended", "error"));
        Assert.DoesNotContain(statuses, s => s.State == "error");
        Assert.Equal(Enumerable.Range(1, 30).Select(i => (ulong)i), frames.Select(f => f.FrameNumber));
        Assert.All(frames, f => Assert.Equal("RUN-1", f.RunId));
        Assert.Equal(10f, statuses[0].Fps);
        // Paced by the player's clock: never faster than asked (slower is the machine's business).
        double spacingMs = (frames[^1].ReadyUnixUs - frames[0].ReadyUnixUs) / 1000.0 / 29;
        Assert.True(spacingMs >= 95, $"frames {spacingMs:0.0} ms apart at 10 fps");
        Assert.Contains(_server.Audit.Recent(), r => r.Action == "review-start" && r.Subject == "dr-referrer" && r.Detail!.Contains("run RUN-1"));
    }

    [Fact]
    public async Task OverALinkSlowerThanThePlaybackRateNoFrameOfTheRunIsLost()
    {
        _runs.Record(1, 30, DicomTransferSyntax.RleLossless, rate: 30);
        await using var relay = new ThrottlingRelay(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, _server.Address.Port), 256_000);
        using var slowChannel = LiveFeedObserver.CreateChannel(new Uri($"http://127.0.0.1:{relay.Port}"));
        var (frames, statuses) = await ReviewAsync(Request("RUN-1", fps: 30), (s, f) => StoppedAndDelivered(s, f, "ended", "error"), client: new LiveFeedClient(slowChannel));
        Assert.Equal("ended", statuses[^1].State);
        Assert.Equal(Enumerable.Range(1, 30).Select(i => (ulong)i), frames.Select(f => f.FrameNumber));
    }

    [Fact]
    public async Task ALoopStartedMidRunGoesOnFromTheRunsFirstFrameAsACineLoopDoes()
    {
        _runs.Record(1, 8, DicomTransferSyntax.ExplicitVRLittleEndian);
        var request = Request("RUN-1", fps: 30, start: 6);
        request.Loop = true;
        var (frames, _) = await ReviewAsync(request, (s, f) => f.Count >= 12);
        Assert.Equal([6ul, 7ul, 8ul, 1ul, 2ul, 3ul, 4ul, 5ul, 6ul, 7ul, 8ul, 1ul], frames.Take(12).Select(f => f.FrameNumber));
    }

    [Fact]
    public async Task AStepAndASeekPlayExactlyTheFramesAsked()
    {
        _runs.Record(1, 20, DicomTransferSyntax.ExplicitVRLittleEndian);
        int pauses = 0;
        var (frames, _) = await ReviewAsync(Request("RUN-1", fps: 30, start: 5, count: 1), (s, f) => pauses == 2 && StoppedAndDelivered(s, f, "paused"),
            async (s, requests) =>
            {
                if (s.State == "paused" && ++pauses == 1) await requests.WriteAsync(new ReviewMessage { Review = Request("RUN-1", fps: 30, start: 12, count: 3) });
            });
        Assert.Equal([5ul, 12ul, 13ul, 14ul], frames.Select(f => f.FrameNumber));
    }

    [Fact]
    public async Task FrameNOfRunKIsFetchedAtFullResolutionPixelExact()
    {
        _runs.Record(1, 8, DicomTransferSyntax.ExplicitVRLittleEndian);
        _runs.Record(2, 24, DicomTransferSyntax.RleLossless);
        var fetched = await _client.FetchFrameAsync(new FetchFrameRequest { ExamId = LiveFeedTestServer.Exam, RunId = "RUN-2", FrameNumber = 17 }, Bearer());
        Assert.Equal((ImageEncoding.Png16, 512u, 512u, 16u, 17ul), (fetched.Encoding, fetched.Width, fetched.Height, fetched.BitsStored, fetched.FrameNumber));
        using var png = Cv2.ImDecode(fetched.Data.ToByteArray(), ImreadModes.Unchanged);
        Assert.Equal(MatType.CV_16UC1, png.Type());
        png.GetArray(out ushort[] pixels);
        Assert.True(RecordedRunFiles.Pixels(2, 16).AsSpan().SequenceEqual(pixels), "frame 17 of run 2 differs from the file");
        Assert.Contains(_server.Audit.Recent(), r => r.Action == "fetch-lossless" && r.Detail == "run RUN-2 frame 17");
    }

    [Fact]
    public async Task ADsaRunIsShownSubtractedAsItsMaskModuleAsks()
    {
        _runs.Record(1, 6, DicomTransferSyntax.RleLossless, dsa: true);
        async Task<ushort[]> Fetch(ulong frame)
        {
            var fetched = await _client.FetchFrameAsync(new FetchFrameRequest { ExamId = LiveFeedTestServer.Exam, RunId = "RUN-1", FrameNumber = frame }, Bearer());
            using var png = Cv2.ImDecode(fetched.Data.ToByteArray(), ImreadModes.Unchanged);
            png.GetArray(out ushort[] pixels);
            return pixels;
        }
        // Mask frames 1 and 2 (averaged, rounded) subtracted from frames 3…6, offset to mid-range; the mask frames as stored.
        var (fetched5, fetched1) = (await Fetch(5), await Fetch(1));
        var expected = RecordedRunFiles.Subtracted(1, 4);
        int wrong = expected.Where((v, i) => v != fetched5[i]).Count();
        Assert.True(wrong == 0, $"frame 5 is not the frame minus the average mask at {wrong} pixels: pixel 1000 {fetched5[1000]} expected {expected[1000]} (stored {RecordedRunFiles.Pixels(1, 4)[1000]})");
        Assert.True(RecordedRunFiles.Pixels(1, 0).AsSpan().SequenceEqual(fetched1), "mask frame 1 is not shown as stored");
        // Played, the subtracted frames are a flat field (the test pattern moves by a constant per frame), the native ones not.
        var (frames, _) = await ReviewAsync(Request("RUN-1", fps: 30), (s, f) => StoppedAndDelivered(s, f, "ended", "error"));
        Assert.Equal(6, frames.Count);
        double Spread(LiveFrame f)
        {
            using var jpeg = Cv2.ImDecode(f.Data.ToByteArray(), ImreadModes.Grayscale);
            Cv2.MeanStdDev(jpeg, out _, out var sd);
            return sd.Val0;
        }
        Assert.All(frames.Take(2), f => Assert.True(Spread(f) > 20, $"native frame {f.FrameNumber}: spread {Spread(f):0.0}"));
        Assert.All(frames.Skip(2), f => Assert.True(Spread(f) < Spread(frames[0]) / 2, $"subtracted frame {f.FrameNumber}: spread {Spread(f):0.0}"));
    }

    [Fact]
    public async Task ARunStillBeingRecordedIsReviewedWhileItGrows()
    {
        using var writer = _runs.Begin(3, DicomTransferSyntax.RleLossless, rate: 30);
        RecordedRunFiles.Write(writer, 3, 0, 5);
        int waits = 0;
        var (frames, statuses) = await ReviewAsync(Request("RUN-3", fps: 30), (s, f) => StoppedAndDelivered(s, f, "ended", "error"),
            (s, _) =>
            {
                if (s.State != "waiting") return Task.CompletedTask;
                if (++waits == 1) RecordedRunFiles.Write(writer, 3, 5, 5);
                else _runs.Completed(3, writer);
                return Task.CompletedTask;
            });
        Assert.True(statuses[0].Recording);
        Assert.Equal("ended", statuses[^1].State);
        Assert.False(statuses[^1].Recording);
        Assert.Equal(10u, statuses[^1].Frames);
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (ulong)i), frames.Select(f => f.FrameNumber).Distinct());
    }

    [Fact]
    public async Task AnUnknownRunIsNotFound()
    {
        var fetch = await Assert.ThrowsAsync<RpcException>(async () =>
            await _client.FetchFrameAsync(new FetchFrameRequest { ExamId = LiveFeedTestServer.Exam, RunId = "RUN-9", FrameNumber = 1 }, Bearer()));
        Assert.Equal(StatusCode.NotFound, fetch.StatusCode);
        var review = await Assert.ThrowsAsync<RpcException>(() => ReviewAsync(Request("RUN-9"), (_, _) => true));
        Assert.Equal(StatusCode.NotFound, review.StatusCode);
    }

    [Fact]
    public async Task AFrameOutOfRangeIsRefusedAndTheReviewSessionStaysUp()
    {
        _runs.Record(1, 5, DicomTransferSyntax.RleLossless);
        var fetch = await Assert.ThrowsAsync<RpcException>(async () =>
            await _client.FetchFrameAsync(new FetchFrameRequest { ExamId = LiveFeedTestServer.Exam, RunId = "RUN-1", FrameNumber = 6 }, Bearer()));
        Assert.Equal(StatusCode.OutOfRange, fetch.StatusCode);
        bool asked = false;
        var (frames, statuses) = await ReviewAsync(Request("RUN-1", fps: 30, start: 9), (s, f) => StoppedAndDelivered(s, f, "paused"),
            async (s, requests) =>
            {
                if (s.State != "error" || asked) return;
                asked = true;
                await requests.WriteAsync(new ReviewMessage { Review = Request("RUN-1", fps: 30, start: 2, count: 1) });
            });
        Assert.Contains("out of range", statuses[0].Detail);
        Assert.Equal([2ul], frames.Select(f => f.FrameNumber));
    }

    [Fact]
    public async Task ADamagedRunGivesAClearErrorAndTheSessionStaysUp()
    {
        _runs.Record(1, 3, DicomTransferSyntax.RleLossless);
        _runs.Damaged(2, bytes => bytes.AsSpan(0, bytes.Length - 5000).ToArray());
        var list = await _client.ListRecordedRunsAsync(new ListRecordedRunsRequest { ExamId = LiveFeedTestServer.Exam }, Bearer());
        Assert.Contains("fragment", list.Runs[1].Problem);
        Assert.Equal("", list.Runs[0].Problem);
        var fetch = await Assert.ThrowsAsync<RpcException>(async () =>
            await _client.FetchFrameAsync(new FetchFrameRequest { ExamId = LiveFeedTestServer.Exam, RunId = "RUN-2", FrameNumber = 1 }, Bearer()));
        Assert.Equal(StatusCode.DataLoss, fetch.StatusCode);
        Assert.Contains("cannot be read", fetch.Status.Detail);

        bool moved = false;
        var (frames, statuses) = await ReviewAsync(Request("RUN-2", fps: 30), (s, f) => StoppedAndDelivered(s, f, "ended"),
            async (s, requests) =>
            {
                if (s.State != "error" || moved) return;
                moved = true;
                await requests.WriteAsync(new ReviewMessage { Review = Request("RUN-1", fps: 30) });
            });
        Assert.Contains("cannot be read", statuses[0].Detail);
        Assert.All(frames, f => Assert.Equal("RUN-1", f.RunId));
        Assert.NotEmpty(frames);
    }

    [Fact]
    public async Task ATokenForAnotherExamMayNotListReviewOrFetch()
    {
        _runs.Record(1, 3, DicomTransferSyntax.RleLossless);
        var other = Bearer(LiveFeedTestServer.OtherExamToken);
        var list = await Assert.ThrowsAsync<RpcException>(async () => await _client.ListRecordedRunsAsync(new ListRecordedRunsRequest { ExamId = LiveFeedTestServer.Exam }, other));
        Assert.Equal(StatusCode.PermissionDenied, list.StatusCode);
        var fetch = await Assert.ThrowsAsync<RpcException>(async () =>
            await _client.FetchFrameAsync(new FetchFrameRequest { ExamId = LiveFeedTestServer.Exam, RunId = "RUN-1", FrameNumber = 1 }, other));
        Assert.Equal(StatusCode.PermissionDenied, fetch.StatusCode);
        using var call = _client.Review(other);
        await call.RequestStream.WriteAsync(new ReviewMessage { Review = Request("RUN-1") });
        var review = await Assert.ThrowsAsync<RpcException>(async () => await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(StatusCode.PermissionDenied, review.StatusCode);
        var none = await Assert.ThrowsAsync<RpcException>(async () => await _client.ListRecordedRunsAsync(new ListRecordedRunsRequest { ExamId = LiveFeedTestServer.Exam }));
        Assert.Equal(StatusCode.Unauthenticated, none.StatusCode);
        Assert.Contains(_server.Audit.Recent(), r => r.Outcome == "PermissionDenied" && r.Subject == "student");
    }
}
