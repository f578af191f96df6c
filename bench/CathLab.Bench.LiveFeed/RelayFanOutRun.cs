using System.Diagnostics;
using System.Globalization;
using CathLab.LiveFeed;
using CathLab.LiveFeed.Broker;
using CathLab.LiveFeed.Hosting;
using CathLab.Security.Access;
using CathLab.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace CathLab.Bench.LiveFeed;

/// <summary>Fan-out through NATS: a real three-server nats-server cluster on 127.0.0.1, the station's live feed (in this
/// process) publishing to it, <c>relays</c> <c>cathlab-relay</c> processes and the observers spread over them in child
/// processes (<see cref="ObserverProcess"/>). Per row: the station's CPU per frame and its bytes to the broker per frame,
/// and what the observers received (frames per observer, delay behind live p50/p99). The goal is the station's outbound
/// bytes independent of the observer count.</summary>
internal static class RelayFanOutRun
{
    private const string Token = "bench-observer";
    private const string Exam = "BENCH-RELAY";
    private const string Secret = "bench-exam-key-secret-0123456789";

    public sealed record Row(int Relays, int Observers, double Fps, long FramesPublished, double StationCpuMsPerFrame, double BytesPerFrame, double MessagesPerFrame,
        double FramesPerObserver, double P50Ms, double P99Ms, int RelaysDelivering);

    public static async Task<int> RunAsync(ProcessedFrameSource source, int relays, int[] observerCounts, double fps, TimeSpan duration)
    {
        using var cluster = new NatsCluster();
        var (app, _) = await BenchHost.StartAsync(Token, Exam, broker: new BrokerOptions
        {
            Urls = cluster.Urls, User = NatsCluster.StationUser, Password = NatsCluster.StationPassword, ExamKeySecret = Secret, StreamReplicas = 3,
        });
        await using var station = app;
        var hub = app.Services.GetRequiredService<LiveFeedHub>();
        var publisher = app.Services.GetRequiredService<BrokerFeedService>().Publisher!;
        hub.BeginExam(Exam);
        var relayProcesses = Enumerable.Range(0, relays).Select(i => StartRelay(cluster, i)).ToArray();
        try
        {
            var frames = DisplayFramePublisher.Capture(source, 16);
            using var stop = new CancellationTokenSource();
            var pump = Task.Run(() => DisplayFramePublisher.Publish(hub, frames, fps, stop.Token));
            var rows = new List<Row>();
            foreach (int observers in observerCounts) rows.Add(await MeasureAsync(hub, publisher, relayProcesses, relays, observers, fps, duration));
            await stop.CancelAsync();
            await pump;
            Console.WriteLine($"relay fan-out: {relays} relays (cathlab-relay), 3 nats-servers, {fps} fps 1024² frames, {duration.TotalSeconds:F0} s a row, load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
            Console.WriteLine("| relays | observers | frames published | station CPU ms/frame | bytes to broker/frame | messages/frame | frames/observer | relays delivering | behind live p50 | p99 |");
            Console.WriteLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
            foreach (var r in rows)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {r.Relays} | {r.Observers} | {r.FramesPublished} | {r.StationCpuMsPerFrame:F2} | {r.BytesPerFrame:F0} | {r.MessagesPerFrame:F2} | {r.FramesPerObserver:F1} | {r.RelaysDelivering} | {r.P50Ms:F0} ms | {r.P99Ms:F0} ms |"));
            return 0;
        }
        finally
        {
            foreach (var (process, _) in relayProcesses) process.Dispose();
        }
    }

    private static async Task<Row> MeasureAsync(LiveFeedHub hub, BrokerPublisher publisher, (PeerProcess Process, Uri Address)[] relays, int relayCount, int observers,
        double fps, TimeSpan duration)
    {
        // Observers spread evenly over the relays, one child process per relay.
        var children = relays.Select((r, i) => (Count: observers / relayCount + (i < observers % relayCount ? 1 : 0), r.Address))
            .Where(c => c.Count > 0).Select(c => ObserverProcess.Start(c.Address, c.Count, 0, Token, Exam, preview: true)).ToArray();
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(5)); // joins, the ladder's first steps
            var before = publisher.Status;
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            long fromUs = CathLab.Contracts.UnixClock.NowMicroseconds();
            await Task.Delay(duration);
            long toUs = CathLab.Contracts.UnixClock.NowMicroseconds();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
            var after = publisher.Status;
            var received = new List<(long ReceivedUs, double LatencyMs, int Level, long FrameNumber, double StationMs)[]>();
            foreach (var child in children) received.Add(await child.StopAsync());
            var inWindow = received.SelectMany(r => r).Where(f => f.ReceivedUs >= fromUs && f.ReceivedUs < toUs).ToArray();
            var latencies = inWindow.Select(f => f.LatencyMs).Order().ToArray();
            long published = after.FramesPublished - before.FramesPublished;
            return new Row(relayCount, observers, fps, published, cpu.TotalMilliseconds / Math.Max(1, published),
                (double)(after.BytesPublished - before.BytesPublished) / Math.Max(1, published),
                (double)(after.MessagesPublished - before.MessagesPublished) / Math.Max(1, published),
                (double)inWindow.Length / observers, Percentile(latencies, 0.5), Percentile(latencies, 0.99),
                received.Count(r => r.Length > 0));
        }
        finally
        {
            foreach (var child in children) child.Dispose();
        }
    }

    private static (PeerProcess Process, Uri Address) StartRelay(NatsCluster cluster, int index)
    {
        int grpc = FreePort.Next(), web = FreePort.Next();
        string folder = Directory.CreateTempSubdirectory("cathlab-bench-relay-").FullName;
        var process = new PeerProcess("dotnet", [Path.Combine(AppContext.BaseDirectory, "cathlab-relay.dll"),
            $"--Relay:GrpcUrl=http://127.0.0.1:{grpc}", $"--Relay:WebUrl=http://127.0.0.1:{web}", $"--Relay:AuditPath={Path.Combine(folder, "audit.jsonl")}",
            $"--Relay:BrokerUrls:0={cluster.Urls[index % cluster.Urls.Count]}", $"--Relay:BrokerUser={NatsCluster.RelayUser}", $"--Relay:BrokerPassword={NatsCluster.RelayPassword}",
            $"--Relay:ExamKeySecret={Secret}", $"--Relay:Exams:0={Exam}", "--Relay:Tokens:0:Holder=bench", $"--Relay:Tokens:0:Sha256={TokenStore.Sha256Hex(Token)}",
            "--Logging:LogLevel:Default=Warning"], folder);
        process.WaitForPort(grpc);
        return (process, new Uri($"http://127.0.0.1:{grpc}"));
    }

    private static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
}
