using CathLab.Contracts.Client;
using CathLab.LiveFeed.Broker;
using CathLab.LiveFeed.Frames;
using CathLab.LiveFeed.Hosting;
using CathLab.LiveFeed.Protocol;
using CathLab.LiveFeed.Tests.Support;
using CathLab.Testing;
using NATS.Client.Core;
using Xunit.Abstractions;

namespace CathLab.LiveFeed.Tests;

/// <summary>A station-side live feed publishing through a real three-server NATS cluster to a relay that serves
/// gRPC observers as the station does. The cluster, the station and the relay are shared by the tests
/// (<see cref="RelayRig"/>): each test pumps frames of its own and reads the counters as differences.</summary>
public sealed class RelayTests(RelayRig rig, ITestOutputHelper output) : IClassFixture<RelayRig>
{
    private const string Secret = RelayRig.Secret;
    private NatsCluster _cluster => rig.Cluster;
    private LiveFeedTestServer _station => rig.Station;
    private LiveFeedTestServer _relay => rig.Relay;

    private BrokerPublisher Publisher => _station.Service<BrokerFeedService>().Publisher!;

    private RelayFeed Relay => _relay.Service<BrokerFeedService>().Relay!;

    private Task WaitFor(Func<bool> condition, string what, int seconds = 90) => rig.WaitFor(condition, what, seconds);

    internal sealed class Observers : IDisposable
    {
        private readonly Grpc.Net.Client.GrpcChannel[] _channels;
        private readonly CancellationTokenSource _stop = new(TimeSpan.FromMinutes(3));

        public Observers(Uri address, int count, Tier tier, Action<LiveFrame>? onFrame = null, Action<ExamEvent>? onEvent = null)
        {
            _channels = Enumerable.Range(0, count).Select(_ => LiveFeedObserver.CreateChannel(address)).ToArray();
            All = _channels.Select(c => new LiveFeedObserver(c, LiveFeedTestServer.ObserverToken)).ToArray();
            Runs = All.Select(o => o.RunAsync(new WatchRequest { ExamId = LiveFeedTestServer.Exam, BestTier = tier }, onFrame, onEvent, _stop.Token)).ToArray();
        }

        public LiveFeedObserver[] All { get; }

        public Task[] Runs { get; }

        public void Dispose()
        {
            _stop.Cancel();
            try
            {
                Task.WaitAll(Runs, TimeSpan.FromSeconds(10));
            }
            catch (AggregateException)
            {
                // cancelled streams end with an error
            }
            foreach (var c in _channels) c.Dispose();
            _stop.Dispose();
        }
    }

    [Fact]
    public async Task ARelayServesTheStationsFramesAndEventsToAGrpcObserver()
    {
        var hub = _station.Hub;
        hub.PublishRunStarted("RUN-1", "fluoro", 15);
        hub.PublishTechnique(75, 10, 6, 15);
        var events = new List<ExamEvent>();
        var frames = new List<LiveFrame>();
        using var pump = new FramePump(hub, SimulatedFrameSet.Full, 15).Start();
        using var observers = new Observers(_relay.Address, 1, Tier.Diagnostic, f => { lock (frames) frames.Add(f); }, e => { lock (events) events.Add(e); });
        await WaitFor(() => observers.All[0].Statistics.Frames >= 10, "10 frames through the relay");
        hub.PublishDose(12.5, 3.1, 42);
        await WaitFor(() => { lock (events) return events.Any(e => e.Dose is not null); }, "the dose event through the relay");

        lock (events)
        {
            Assert.Equal("RUN-1", events.First(e => e.RunStarted is not null).RunStarted.RunId);
            Assert.Equal(75f, events.First(e => e.Technique is not null).Technique.Kv);
        }
        LiveFrame last;
        lock (frames) last = frames[^1];
        Assert.Equal("RUN-1", last.RunId);
        Assert.Equal(1024u, last.SourceWidth);
        Assert.Contains(last.Width, new uint[] { 256, 512, 1024 });
        Assert.True(last.Data.Length > 0);
        Assert.Contains(_relay.Audit.Recent(), r => r.Action == "watch-start" && r.Subject == "dr-referrer");
        // The station encoded and published; its own hub has no observer.
        Assert.Empty(hub.Sessions);
        Assert.True(Publisher.Status.Connected);
    }

    /// <summary>Messages per frame stay one per lossy variant, and bytes per frame do not grow, with 16 observers on the relay instead of 1.</summary>
    [Fact]
    public async Task ThePublishersOutboundTrafficDoesNotDependOnTheRelaysObservers()
    {
        using var pump = new FramePump(_station.Hub, SimulatedFrameSet.Full, 15).Start();
        var one = await MeasurePublisher(1);
        var sixteen = await MeasurePublisher(16);
        output.WriteLine($"1 observer: {one.MessagesPerFrame:F2} messages, {one.BytesPerFrame:F0} B per frame; 16 observers: {sixteen.MessagesPerFrame:F2} messages, {sixteen.BytesPerFrame:F0} B per frame");
        Assert.Equal(3.0, one.MessagesPerFrame, 1);
        Assert.Equal(3.0, sixteen.MessagesPerFrame, 1);
        Assert.InRange(sixteen.BytesPerFrame / one.BytesPerFrame, 0.8, 1.25);
    }

    private async Task<(double MessagesPerFrame, double BytesPerFrame)> MeasurePublisher(int observerCount)
    {
        using var observers = new Observers(_relay.Address, observerCount, Tier.Preview);
        await WaitFor(() => observers.All.All(o => o.Statistics.Frames >= 5), $"5 frames at each of {observerCount} observers");
        var before = Publisher.Status;
        long relayedBefore = Relay.Frames;
        await WaitFor(() => Relay.Frames >= relayedBefore + 30, "30 more frames relayed");
        var after = Publisher.Status;
        double frames = after.FramesPublished - before.FramesPublished;
        // Events are few and counted with the messages; the frame window is what matters.
        return ((after.MessagesPublished - before.MessagesPublished) / frames, (after.BytesPublished - before.BytesPublished) / frames);
    }

    [Fact]
    public async Task APublisherWithoutCredentialsIsRefusedByTheBroker()
    {
        await using var forged = new NatsConnection(NatsOpts.Default with { Url = _cluster.Urls[0], ConnectTimeout = TimeSpan.FromSeconds(5) });
        var refused = await Assert.ThrowsAnyAsync<NatsException>(async () => await forged.ConnectAsync());
        output.WriteLine(refused.ToString().Split('\n')[0]);
    }

    [Fact]
    public async Task MalformedMessagesOnAnExamSubjectAreDroppedAndCountedAndTheRelayGoesOn()
    {
        using var pump = new FramePump(_station.Hub, SimulatedFrameSet.Full, 15).Start();
        using var observers = new Observers(_relay.Address, 1, Tier.Preview);
        await WaitFor(() => observers.All[0].Statistics.Frames >= 5, "5 frames before the bad input");
        long malformedBefore = Relay.Malformed;
        await using var insider = new NatsConnection(NatsOpts.Default with
        {
            Url = _cluster.Urls[1], AuthOpts = NatsAuthOpts.Default with { Username = NatsCluster.StationUser, Password = NatsCluster.StationPassword },
        });
        var subjects = new ExamSubjects("cathlab", Secret);
        string key = subjects.ExamKey(LiveFeedTestServer.Exam);
        var valid = new byte[FrameEnvelope.HeaderLength + 8];
        new FrameEnvelope(EnvelopeKind.Frame, 2, false, 1, 1, 64, 64, 32, 32).Write(valid, "", new byte[8]);
        byte[][] bad =
        [
            "not an envelope"u8.ToArray(),
            valid[..(valid.Length - 1)], // truncated payload
            [.. valid[..5], 9, .. valid[6..]], // a variant that does not exist
            [.. valid[..4], (byte)EnvelopeKind.Event, .. valid[5..]], // an event whose payload is not an ExamEvent
        ];
        await insider.PublishAsync(subjects.Frames(key, Tiers.StreamVariant.All[2]), bad[0]);
        await insider.PublishAsync(subjects.Frames(key, Tiers.StreamVariant.All[2]), bad[1]);
        await insider.PublishAsync(subjects.Frames(key, Tiers.StreamVariant.All[3]), bad[2]);
        await insider.PublishAsync(subjects.Event(key, "dose"), bad[3]);
        await WaitFor(() => Relay.Malformed >= malformedBefore + 4, "four malformed messages counted");
        long framesAfter = observers.All[0].Statistics.Frames;
        await WaitFor(() => observers.All[0].Statistics.Frames >= framesAfter + 10, "10 more frames after the bad input");
        Assert.Equal(malformedBefore + 4, Relay.Malformed);
    }

    [Fact]
    public async Task ARelayGoesOnWhenOneServerOfTheClusterIsKilledMidStream()
    {
        var ready = new List<ulong>();
        using var pump = new FramePump(_station.Hub, SimulatedFrameSet.Full, 15).Start();
        using var observers = new Observers(_relay.Address, 1, Tier.Preview, f => { lock (ready) ready.Add(f.FrameNumber); });
        await WaitFor(() => observers.All[0].Statistics.Frames >= 10, "10 frames before the kill");
        long published = Publisher.Status.FramesPublished;
        long atKill = observers.All[0].Statistics.Frames;
        _cluster.Kill(0);
        await WaitFor(() => observers.All[0].Statistics.Frames >= atKill + 30, "30 frames after one server was killed");
        ulong[] numbers;
        lock (ready) numbers = ready.Distinct().Order().ToArray();
        ulong widestGap = numbers.Zip(numbers.Skip(1), (a, b) => b - a).Max();
        output.WriteLine($"frames published before the kill {published}; widest gap in frame numbers at the observer: {widestGap} frames (15 fps)");
        Assert.True(Publisher.Status.Connected);
        Assert.True(Relay.Connected);
        _cluster.Restart(0);
    }

    /// <summary>A relay started after the run ended (as one restarted, or added between runs) begins from the broker's
    /// streams: its first observer gets the run, the technique and the last image although the station sends nothing
    /// new and the frame window no longer holds the run's frames.</summary>
    [Fact]
    public async Task ARelayStartedLateBeginsWithTheRunTheTechniqueAndTheLastImageFromTheStreams()
    {
        var hub = _station.Hub;
        hub.PublishRunStarted("RUN-LATE", "cine", 15);
        hub.PublishTechnique(82, 400, 8, 15);
        using (var pump = new FramePump(hub, SimulatedFrameSet.Full, 15).Start())
        {
            await WaitFor(() => Publisher.Status.FramesPublished >= 5, "5 frames published");
        }
        // The run's end leaves its last image on screen (the last-image hold), which is what a joiner is shown.
        var set = SimulatedFrameSet.Full;
        long before = Publisher.Status.FramesPublished;
        while (!hub.PublishFrame(LiveFrameInfo.Square(100_000, set.Side, 14) with { LastImageHold = true }, set.Raw[0], set.Display[0])) await Task.Delay(5);
        await WaitFor(() => Publisher.Status.FramesPublished > before, "the hold published");
        // Between runs: the frame window lets the run's frames (the hold's copy among them) go; the hold stream keeps it.
        await Task.Delay(RelayRig.FrameWindow * 2);
        long published = Publisher.Status.FramesPublished;
        await using var late = await RelayRig.StartRelayAsync(_cluster);
        var events = new List<ExamEvent>();
        var frames = new List<LiveFrame>();
        using var observers = new Observers(late.Address, 1, Tier.Preview, f => { lock (frames) frames.Add(f); }, e => { lock (events) events.Add(e); });
        var lateRelay = late.Service<BrokerFeedService>().Relay!;
        await WaitFor(() => { lock (frames) return frames.Count >= 1; }, "the last image from the late relay");
        await WaitFor(() => { lock (events) return events.Any(e => e.Technique is not null) && events.Any(e => e.RunStarted is not null); }, "the run and the technique from the late relay");
        output.WriteLine($"replayed {lateRelay.Replayed} messages; published {published} frames before the relay started, {Publisher.Status.FramesPublished} now");
        Assert.Equal(published, Publisher.Status.FramesPublished);
        lock (events)
        {
            Assert.Equal("RUN-LATE", events.Last(e => e.RunStarted is not null).RunStarted.RunId);
            Assert.Equal(82f, events.Last(e => e.Technique is not null).Technique.Kv);
        }
        lock (frames) Assert.Equal("RUN-LATE", frames[0].RunId);
        Assert.True(lateRelay.Replayed >= 3, $"replayed {lateRelay.Replayed}");
    }

    /// <summary>The broker carries the JPEG variants only: an observer who asks a relay for VP8 is served those, not a
    /// video stream that never comes.</summary>
    [Fact]
    public async Task An_observer_asking_a_relay_for_video_gets_the_relayed_jpeg_frames()
    {
        using var pump = new FramePump(_station.Hub, SimulatedFrameSet.Full, 15).Start();
        using var channel = LiveFeedObserver.CreateChannel(_relay.Address);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var encodings = new List<ImageEncoding>();
        var observer = new LiveFeedObserver(channel, LiveFeedTestServer.ObserverToken);
        var run = observer.RunAsync(new WatchRequest { ExamId = LiveFeedTestServer.Exam, BestTier = Tier.Preview, Codec = ImageEncoding.Vp8 },
            f => { lock (encodings) encodings.Add(f.Encoding); }, null, stop.Token);
        await WaitFor(() => { lock (encodings) return encodings.Count >= 5; }, "5 frames to a video observer of the relay", 30);
        await stop.CancelAsync();
        try
        {
            await run;
        }
        catch (Exception e) when (e is OperationCanceledException or Grpc.Core.RpcException)
        {
        }
        lock (encodings) Assert.All(encodings, e => Assert.Equal(ImageEncoding.Jpeg, e));
    }

    /// <summary>The relay as a site runs it: the <c>cathlab-relay</c> process, configured by arguments only, serving the
    /// exam it was given to a gRPC observer and the web application's page to a browser, refusing a token it was not
    /// given and an exam it does not serve, and auditing the watch in its own trail.</summary>
    [Fact]
    public async Task The_cathlab_relay_process_serves_its_exam_and_refuses_what_it_was_not_given()
    {
        using var folder = new TempDirectory();
        int grpcPort = FreePort.Next(), webPort = FreePort.Next();
        string audit = Path.Combine(folder.Path, "relay-audit.jsonl");
        using var relay = new PeerProcess("dotnet", [Path.Combine(AppContext.BaseDirectory, "cathlab-relay.dll"),
            $"--Relay:GrpcUrl=http://127.0.0.1:{grpcPort}", $"--Relay:WebUrl=http://127.0.0.1:{webPort}", $"--Relay:AuditPath={audit}",
            $"--Relay:BrokerUrls:0={_cluster.Urls[1]}", $"--Relay:BrokerUrls:1={_cluster.Urls[2]}",
            $"--Relay:BrokerUser={NatsCluster.RelayUser}", $"--Relay:BrokerPassword={NatsCluster.RelayPassword}",
            $"--Relay:ExamKeySecret={Secret}", $"--Relay:Exams:0={LiveFeedTestServer.Exam}",
            "--Relay:Tokens:0:Holder=dr-far-away", $"--Relay:Tokens:0:Exams:0={LiveFeedTestServer.Exam}", $"--Relay:Tokens:0:Sha256={Security.Access.TokenStore.Sha256Hex(LiveFeedTestServer.ObserverToken)}"],
            workingDirectory: folder.Path);
        relay.WaitForPort(grpcPort);
        relay.WaitForPort(webPort);
        using var pump = new FramePump(_station.Hub, SimulatedFrameSet.Full, 15).Start();
        using var observers = new Observers(new Uri($"http://127.0.0.1:{grpcPort}"), 1, Tier.Preview);
        await WaitFor(() => observers.All[0].Statistics.Frames >= 10, $"10 frames through cathlab-relay; its output: {relay.Output}");

        using var http = new HttpClient();
        string page = await http.GetStringAsync($"http://127.0.0.1:{webPort}/");
        Assert.Contains("app.js", page);
        using var channel = LiveFeedObserver.CreateChannel(new Uri($"http://127.0.0.1:{grpcPort}"));
        using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var refused = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() =>
            new LiveFeedObserver(channel, "a-token-the-relay-never-saw").RunAsync(new WatchRequest { ExamId = LiveFeedTestServer.Exam }, null, null, bounded.Token));
        Assert.Equal(Grpc.Core.StatusCode.Unauthenticated, refused.StatusCode);
        var otherExam = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() =>
            new LiveFeedObserver(channel, LiveFeedTestServer.ObserverToken).RunAsync(new WatchRequest { ExamId = "EXAM-NOT-RELAYED" }, null, null, bounded.Token));
        output.WriteLine($"other exam: {otherExam.Status}");
        Assert.Equal(Grpc.Core.StatusCode.PermissionDenied, otherExam.StatusCode);
        Assert.Contains("dr-far-away", File.ReadAllText(audit));
    }
}

/// <summary>Three nats-servers, a station-side live feed publishing to them and a relay serving EXAM-1 from them.</summary>
public sealed class RelayRig : IAsyncLifetime
{
    public const string Secret = "exam-key-secret-test";

    /// <summary>Short, so that the late-relay test outlives the window: between runs the hold must come from the hold stream.</summary>
    public static readonly TimeSpan FrameWindow = TimeSpan.FromSeconds(1);

    public NatsCluster Cluster { get; private set; } = null!;
    internal LiveFeedTestServer Station { get; private set; } = null!;
    internal LiveFeedTestServer Relay { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Cluster = new NatsCluster();
        Station = await LiveFeedTestServer.StartAsync(new LiveFeedOptions
        {
            Tokens = LiveFeedTestServer.Tokens,
            Broker = new BrokerOptions
            {
                Urls = Cluster.Urls, User = NatsCluster.StationUser, Password = NatsCluster.StationPassword, ExamKeySecret = Secret, StreamReplicas = 3,
                FrameWindow = FrameWindow,
            },
        });
        Relay = await StartRelayAsync(Cluster);
    }

    internal static Task<LiveFeedTestServer> StartRelayAsync(NatsCluster cluster) => LiveFeedTestServer.StartAsync(new LiveFeedOptions
    {
        Tokens = LiveFeedTestServer.Tokens,
        Broker = new BrokerOptions
        {
            Urls = cluster.Urls.Reverse().ToArray(), User = NatsCluster.RelayUser, Password = NatsCluster.RelayPassword, ExamKeySecret = Secret,
            RelayExams = [LiveFeedTestServer.Exam],
        },
    });

    internal async Task WaitFor(Func<bool> condition, string what, int seconds = 90)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                var publisher = Station.Service<BrokerFeedService>().Publisher!;
                var relay = Relay.Service<BrokerFeedService>().Relay!;
                throw new TimeoutException($"timed out waiting for {what}; publisher {publisher.Status}; relay connected {relay.Connected}, frames {relay.Frames}, events {relay.Events}, malformed {relay.Malformed}, error {relay.LastError}; server 0: {Cluster.OutputOf(0)}");
            }
            await Task.Delay(50);
        }
    }

    public async Task DisposeAsync()
    {
        await Relay.DisposeAsync();
        await Station.DisposeAsync();
        Cluster.Dispose();
    }
}
