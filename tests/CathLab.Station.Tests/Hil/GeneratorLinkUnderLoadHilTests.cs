using System.Net.WebSockets;
using System.Text;
using CathLab.FirmwareBridge;
using CathLab.FirmwareBridge.Link;
using CathLab.Contracts.Client;
using CathLab.LiveFeed.Protocol;
using CathLab.Security.Access;
using CathLab.Station.Control;
using CathLab.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace CathLab.Station.Tests.Hil;

/// <summary>Issue 23: observer and network activity must never take the safety link down. The station runs with the
/// default answer timeout (40 ms) and five retries while observers connect and disconnect over gRPC and WebSocket, the
/// thread pool is starved by blocking work and CPU-bound threads compete for both cores; idle, then fluoro, then idle.
/// The link's own statistics count every answer outside the window.</summary>
[Collection(HilCollection.Name)]
public sealed class GeneratorLinkUnderLoadHilTests(ITestOutputHelper output)
{
    private const string ObserverToken = "observer-token-for-the-load-test";

    [Fact]
    public async Task The_link_keeps_every_answer_within_the_window_while_observers_churn_and_the_pool_is_starved()
    {
        using var sim = await SimulatorProcess.StartAsync("--mode", "512");
        output.WriteLine(GiveTheSimulatorsSerialThreadsTheirOwnCpu(sim));
        await using var station = await StationUnderTest.StartAsync(sim,
            "--Station:Generator:AnswerTimeoutMs=40", "--Station:Generator:MaxRetries=5",
            "--Station:Tokens:0:Holder=dr-load", "--Station:Tokens:0:Role=observer", $"--Station:Tokens:0:Sha256={TokenStore.Sha256Hex(ObserverToken)}");
        var bridge = station.Services.GetRequiredService<GeneratorBridge>();
        var link = (GeneratorLinkV1)bridge.Link;
        var exam = await station.Control.StartExamAsync(new ExamRequest("LOAD^LINK", "HIL-0023"), CancellationToken.None);
        var downs = new List<string>();
        link.StateChanged += (state, why) =>
        {
            if (state == LinkState.Down) lock (downs) downs.Add(why);
        };
        long timeoutsBefore = link.Statistics.AnswerTimeouts, lateBefore = link.Statistics.LateAnswers;

        var pausedBefore = GC.GetTotalPauseDuration();
        int collectionsBefore = GC.CollectionCount(0);
        using var load = new StationLoad(station, exam.ExamId, ObserverToken);
        await Task.Delay(TimeSpan.FromSeconds(6)); // idle under load
        var run = await station.ExposeAsync("cardiac-fluoro-15", TimeSpan.FromSeconds(6));
        await Task.Delay(TimeSpan.FromSeconds(6)); // idle again
        load.Stop();

        var stats = link.Statistics;
        output.WriteLine($"under load: {stats}");
        output.WriteLine($"load: {load}; fluoro run {run.Frames} frames; station process GC: {GC.CollectionCount(0) - collectionsBefore} collections, {(GC.GetTotalPauseDuration() - pausedBefore).TotalMilliseconds:0} ms paused in all");
        lock (downs) Assert.True(downs.Count == 0, $"the link went down {downs.Count} time(s): {string.Join("; ", downs)}");
        Assert.True(load.ObserverSessions > 0, "no observer connected during the load");
        // Every answer within the window, but for the station process's own garbage collections: a stop-the-world pause
        // (17 collections, 611 ms in all in a 25 s run at load 24 on two cores) holds the link's threads too, and can push
        // past 40 ms at most what is in flight at that moment, one command and one heartbeat. A retry absorbs it; the link
        // never goes down (asserted above).
        int collections = GC.CollectionCount(0) - collectionsBefore;
        long outside = stats.AnswerTimeouts - timeoutsBefore + stats.LateAnswers - lateBefore;
        Assert.True(outside <= 2 * collections, $"{outside} answers outside the window, {collections} collections");
    }

    /// <summary>The simulator stands in for a generator, which has a processor of its own, and socat for the cable; on a shared
    /// two-core test machine they would otherwise wait behind the test's load and other builds, and the test would measure
    /// them, not the station. So they get the real-time priority the station's link threads take (where the machine allows it).</summary>
    private static string GiveTheSimulatorsSerialThreadsTheirOwnCpu(SimulatorProcess sim)
    {
        var elevated = new List<string>();
        foreach (var process in Directory.GetDirectories("/proc").Where(d => int.TryParse(Path.GetFileName(d), out _)))
        {
            string cmdline;
            try { cmdline = File.ReadAllText(Path.Combine(process, "cmdline")); } catch (IOException) { continue; } catch (UnauthorizedAccessException) { continue; }
            if (!cmdline.Contains(sim.Pty.GeneratorEnd, StringComparison.Ordinal)) continue; // cathlab-sim, and socat
            // All of its threads: its serial port (System.IO.Ports) completes reads on its own thread pool.
            using var chrt = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("chrt", ["-a", "-r", "-p", "20", Path.GetFileName(process)]) { RedirectStandardError = true });
            chrt?.WaitForExit();
            if (chrt?.ExitCode == 0) elevated.Add($"process {Path.GetFileName(process)}");
        }
        return $"simulator and socat at real-time priority: {(elevated.Count == 0 ? "none (not allowed here)" : string.Join(", ", elevated))}";
    }

    /// <summary>The load: observers connecting and disconnecting (gRPC Watch and WebSocket), a thread pool kept starved
    /// by blocking work items, and threads that keep both cores busy.</summary>
    private sealed class StationLoad : IDisposable
    {
        private const int Observers = 6;
        private const int BlockingItems = 48;
        private const int BusyThreads = 3;
        private readonly CancellationTokenSource _stop = new();
        private readonly List<Thread> _threads = [];
        private readonly List<Task> _observers = [];
        private long _sessions;
        private long _blockingItemsRun;
        private int _outstandingItems;

        public StationLoad(StationUnderTest station, string examId, string token)
        {
            for (int i = 0; i < BusyThreads; i++) Start(Spin, $"load cpu {i}");
            Start(Starve, "load pool starver");
            for (int i = 0; i < Observers; i++)
            {
                _observers.Add(Task.Run(() => GrpcChurnAsync(station.GrpcPort, examId, token)));
                _observers.Add(Task.Run(() => WebSocketChurnAsync(station.WebPort, examId, token)));
            }
        }

        public long ObserverSessions => Interlocked.Read(ref _sessions);

        private void Start(ThreadStart body, string name)
        {
            var thread = new Thread(body) { IsBackground = true, Name = name };
            _threads.Add(thread);
            thread.Start();
        }

        private void Spin()
        {
            double x = 1;
            while (!_stop.IsCancellationRequested)
            {
                for (int i = 0; i < 100_000; i++) x = Math.Sqrt(x + i);
            }
            GC.KeepAlive(x);
        }

        /// <summary>Keeps <see cref="BlockingItems"/> work items that block for 200 ms each queued on the pool.</summary>
        private void Starve()
        {
            while (!_stop.IsCancellationRequested)
            {
                while (Volatile.Read(ref _outstandingItems) < BlockingItems)
                {
                    Interlocked.Increment(ref _outstandingItems);
                    ThreadPool.QueueUserWorkItem(_ =>
                    {
                        Thread.Sleep(200);
                        Interlocked.Increment(ref _blockingItemsRun);
                        Interlocked.Decrement(ref _outstandingItems);
                    });
                }
                _stop.Token.WaitHandle.WaitOne(20);
            }
        }

        private async Task GrpcChurnAsync(int port, string examId, string token)
        {
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    using var channel = LiveFeedObserver.CreateChannel(new Uri($"http://127.0.0.1:{port}"));
                    var observer = new LiveFeedObserver(channel, token);
                    using var session = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                    session.CancelAfter(TimeSpan.FromMilliseconds(300 + Random.Shared.Next(400)));
                    Interlocked.Increment(ref _sessions);
                    await observer.RunAsync(new WatchRequest { ExamId = examId, BestTier = Tier.Diagnostic }, _ => { }, _ => { }, session.Token);
                }
                catch (Exception) when (!_stop.IsCancellationRequested)
                {
                    // a cancelled or refused session is part of the churn
                }
                catch (Exception)
                {
                    return;
                }
            }
        }

        private async Task WebSocketChurnAsync(int port, string examId, string token)
        {
            var buffer = new byte[64 * 1024];
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    using var session = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                    session.CancelAfter(TimeSpan.FromMilliseconds(300 + Random.Shared.Next(400)));
                    using var socket = new ClientWebSocket();
                    await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/live/ws"), session.Token);
                    Interlocked.Increment(ref _sessions);
                    await socket.SendAsync(Encoding.UTF8.GetBytes($"{{\"token\":\"{token}\",\"examId\":\"{examId}\"}}"), WebSocketMessageType.Text, true, session.Token);
                    while (!session.IsCancellationRequested)
                    {
                        var r = await socket.ReceiveAsync(buffer, session.Token);
                        if (r.MessageType == WebSocketMessageType.Close) break;
                    }
                }
                catch (Exception) when (!_stop.IsCancellationRequested)
                {
                    // an abrupt hang-up is part of the churn
                }
                catch (Exception)
                {
                    return;
                }
            }
        }

        public void Stop()
        {
            if (_stop.IsCancellationRequested) return;
            _stop.Cancel();
            foreach (var thread in _threads) thread.Join();
            Task.WaitAll([.. _observers], TimeSpan.FromSeconds(30));
        }

        public override string ToString() =>
            $"{ObserverSessions} observer sessions, {Interlocked.Read(ref _blockingItemsRun)} blocking pool items run, {BusyThreads} CPU-bound threads, pool threads {ThreadPool.ThreadCount}";

        public void Dispose()
        {
            Stop();
            _stop.Dispose();
        }
    }
}
