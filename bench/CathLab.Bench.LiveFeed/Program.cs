using System.Globalization;
using CathLab.Bench.LiveFeed;
using CathLab.LiveFeed.Tiers;

// Live-feed latency harness: dotnet run -c Release --project bench/CathLab.Bench.LiveFeed -- [--seconds 10] [--fps 30,60] [--observers 1,8,32] [--lossless 0,1] [--diagnose]
// Review of a recorded run: ... -- review [--kbps 2000] [--requests 10] (first frame over a throttled link, frame decode time).
// A VP8 video observer over throttled links: ... -- video [--kbps 56,256,2000] [--delay-ms 50] [--fps 30] [--seconds 20].
// Fan-out through NATS to cathlab-relay processes: ... -- relay [--relays 4] [--observers 1,256] [--fps 15] [--seconds 20].
// Late joiners of a VP8 watch: ... -- join [--kbps 0,256] [--delay-ms 50] [--fps 30,7.5] [--joins 12] (0 kbit/s = loopback).
// --lossless: rows with that many lossless observers among the observers (they ask for the lossless tier; the others for diagnostic).
// --diagnose adds, per row, where the latency tail is spent, GC counts and what PublishFrame went through.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
if (args.Length is 6 or 7 && args[0] == ObserverChild.Command)
    return await ObserverChild.RunAsync(new Uri(args[1]), int.Parse(args[2], CultureInfo.InvariantCulture), int.Parse(args[3], CultureInfo.InvariantCulture), args[4], args[5],
        preview: args.Length == 7 && args[6] == ObserverChild.PreviewOption);
if (args.Length >= 1 && args[0] == "relay")
{
    // dotnet CathLab.Bench.LiveFeed.dll relay [--relays 4] [--observers 1,256] [--fps 15] [--seconds 20]
    int relayCount = args.SkipWhile(a => a != "--relays").Skip(1).Select(int.Parse).FirstOrDefault(4);
    int[] observerRows = args.SkipWhile(a => a != "--observers").Skip(1).Select(a => a.Split(',').Select(int.Parse).ToArray()).FirstOrDefault([1, 256]);
    double relayFps = args.SkipWhile(a => a != "--fps").Skip(1).Select(a => double.Parse(a, CultureInfo.InvariantCulture)).FirstOrDefault(15);
    double relaySeconds = args.SkipWhile(a => a != "--seconds").Skip(1).Select(a => double.Parse(a, CultureInfo.InvariantCulture)).FirstOrDefault(20);
    using var frames = new ProcessedFrameSource(16);
    return await RelayFanOutRun.RunAsync(frames, relayCount, observerRows, relayFps, TimeSpan.FromSeconds(relaySeconds));
}
if (args.Length >= 1 && args[0] == "review")
{
    // dotnet CathLab.Bench.LiveFeed.dll review [--kbps 2000] [--requests 10]
    double kbps = args.SkipWhile(a => a != "--kbps").Skip(1).Select(a => double.Parse(a, CultureInfo.InvariantCulture)).FirstOrDefault(2000);
    int requests = args.SkipWhile(a => a != "--requests").Skip(1).Select(int.Parse).FirstOrDefault(10);
    using var frames = new ProcessedFrameSource(Math.Max(30, 1));
    return await ReviewRun.RunAsync(frames, kbps * 1000, requests);
}
if (args.Length >= 1 && args[0] == "video")
{
    // dotnet CathLab.Bench.LiveFeed.dll video [--kbps 56,256,2000] [--delay-ms 50] [--fps 30] [--seconds 20]
    double[] links = args.SkipWhile(a => a != "--kbps").Skip(1).Select(a => a.Split(',').Select(k => double.Parse(k, CultureInfo.InvariantCulture)).ToArray()).FirstOrDefault([56, 256, 2000]);
    double delayMs = args.SkipWhile(a => a != "--delay-ms").Skip(1).Select(a => double.Parse(a, CultureInfo.InvariantCulture)).FirstOrDefault(50);
    double videoFps = args.SkipWhile(a => a != "--fps").Skip(1).Select(a => double.Parse(a, CultureInfo.InvariantCulture)).FirstOrDefault(30);
    double videoSeconds = args.SkipWhile(a => a != "--seconds").Skip(1).Select(a => double.Parse(a, CultureInfo.InvariantCulture)).FirstOrDefault(20);
    using var frames = new ProcessedFrameSource(32);
    return await VideoLinkRun.RunAsync(frames, links, TimeSpan.FromMilliseconds(delayMs), videoFps, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(videoSeconds));
}
if (args.Length >= 1 && args[0] == "join")
{
    double[] links = args.SkipWhile(a => a != "--kbps").Skip(1).Select(a => a.Split(',').Select(k => double.Parse(k, CultureInfo.InvariantCulture)).ToArray()).FirstOrDefault([0, 256]);
    double delayMs = args.SkipWhile(a => a != "--delay-ms").Skip(1).Select(a => double.Parse(a, CultureInfo.InvariantCulture)).FirstOrDefault(50);
    double[] joinFps = args.SkipWhile(a => a != "--fps").Skip(1).Select(a => a.Split(',').Select(k => double.Parse(k, CultureInfo.InvariantCulture)).ToArray()).FirstOrDefault([30, 7.5]);
    int joins = args.SkipWhile(a => a != "--joins").Skip(1).Select(int.Parse).FirstOrDefault(12);
    using var frames = new ProcessedFrameSource(16);
    return await JoinRun.RunAsync(frames, links, TimeSpan.FromMilliseconds(delayMs), joinFps, joins);
}
double seconds = 10;
double[] rates = [30, 60];
int[] counts = [1, 8, 32];
int[] losslessCounts = [0];
bool diagnose = false;
for (int i = 0; i < args.Length; i += 2)
{
    if (args[i] == "--diagnose")
    {
        diagnose = true;
        i--;
        continue;
    }
    if (i + 1 >= args.Length)
    {
        Console.Error.WriteLine($"option {args[i]} needs a value");
        return 2;
    }
    switch (args[i])
    {
        case "--seconds": seconds = double.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        case "--fps": rates = args[i + 1].Split(',').Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray(); break;
        case "--observers": counts = args[i + 1].Split(',').Select(int.Parse).ToArray(); break;
        case "--lossless": losslessCounts = args[i + 1].Split(',').Select(int.Parse).ToArray(); break;
        default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
    }
}

using var source = new ProcessedFrameSource(32);
Console.WriteLine($"processing: {source.Backend}; {Environment.ProcessorCount} CPUs; {seconds} s measured per configuration after a 4 s warm-up (observers climb the ladder)");
Console.WriteLine();
Console.WriteLine("| fps | observers | of them lossless | offered | dropped before encoder | frames per lossy observer | p50 ms | p99 ms | max ms | levels (share of frames) | processing ms/frame | PublishFrame p99 / max ms | encoder bytes allocated per frame | whole run, all observers: offered = received + lost + skipped (unaccounted) |");
Console.WriteLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | --- |");
foreach (double fps in rates)
{
    foreach (int lossless in losslessCounts)
    foreach (int n in counts)
    {
        if (lossless > 0 && lossless >= n) continue; // a row needs a lossy observer beside the lossless ones
        var r = await LatencyRun.RunAsync(source, fps, n, lossless, TimeSpan.FromSeconds(seconds), TimeSpan.FromSeconds(4));
        var p = r.Publish;
        var a = r.Accounting;
        Console.WriteLine($"| {r.Fps:F0} | {r.Observers} | {lossless} | {r.Offered} | {r.DroppedBeforeEncoder} | {r.MeanReceivedPerObserver:F0} | {r.P50Ms:F1} | {r.P99Ms:F1} | {r.MaxMs:F0} | {r.Levels} | {r.MeanProcessMs:F1} | {p.WallPercentile(0.99):F2} / {p.WallMax:F1} | {r.EncoderBytesPerFrame:F0} | {a.Offered} = {a.Received} + {a.Lost} + {a.Skipped} ({a.Unaccounted}) |");
        if (!diagnose) continue;
        Console.WriteLine($"    latency p99 split: station (ready to sent) {r.StationP99Ms:F1} ms, link and observer (sent to received) {r.TransportP99Ms:F1} ms; slowest #frame:station+link ms {r.Slowest}");
        Console.WriteLine($"    GCs gen0/1/2 {r.Gen0}/{r.Gen1}/{r.Gen2}, paused {r.GcPauseMs:F0} ms; size probes {r.SizeProbes}");
        Console.WriteLine($"    PublishFrame p50 {p.WallPercentile(0.5):F2} ms, CPU p50 / p99 {p.CpuPercentile(0.5):F2} / {p.CpuPercentile(0.99):F2} ms over {p.Calls} calls: system CPU {p.SystemMicroseconds / 1000.0:F1} ms, minor faults {p.MinorFaults}, preempted {p.Preemptions} times, {p.CallsWithGc} calls with a GC inside");
    }
}
double[] bytes = VariantSizeTable.Measure(source, 32);
Console.WriteLine();
Console.WriteLine("| variant | size | bytes per frame | kbit/s at 15 fps | ratio to MPEG-1 (4.8–14.3 KB per 512² frame) |");
Console.WriteLine("| --- | --- | ---: | ---: | --- |");
foreach (var v in StreamVariant.All)
{
    double b = bytes[v.Index];
    int side = 1024 / v.DownscaleFactor;
    string q = v.Tier == CathLab.LiveFeed.Protocol.Tier.Lossless ? "PNG 16-bit" : $"JPEG q{v.JpegQuality}";
    Console.WriteLine($"| {v.Tier} ({q}) | {side}×{side} | {b:F0} | {b * 15 * 8 / 1000:F0} | {b / 14_300:F2}–{b / 4_800:F2}×  |");
}
return 0;
