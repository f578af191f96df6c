using System.Globalization;
using System.Net;
using CathLab.LiveFeed.Tests.Support;
using CathLab.Security.Access;
using CathLab.Station.Tests.Hil;
using CathLab.Station.Tests.Web;
using CathLab.Testing;

// The case discussion over slow links: dotnet run -c Release --project bench/CathLab.Bench.Discussion -- [--kbps 56] [--delay-ms 150]
//   [--pointer-seconds 20] [--annotations 10] [--play-fps 10]
// Starts the simulator and the station as the browser tests do, puts each of two participants behind a throttling relay of
// its own (one shared rate per direction for all its sockets, the delay added each way), and runs
// capture/web/tests/discussion-link.spec.ts in one Chromium; prints the figures and copies the samples' JSON to
// bench/results/discussion-link-{kbps}k-{delay}ms-play{fps}.json (--play-fps 0: the run selected, not played).
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
string Option(string name, string fallback) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault(fallback);
double kbps = double.Parse(Option("--kbps", "56"), CultureInfo.InvariantCulture);
double delayMs = double.Parse(Option("--delay-ms", "150"), CultureInfo.InvariantCulture);
const string TechnicianToken = "technician-token-for-the-discussion-bench";
const string ObserverToken = "observer-token-for-the-discussion-bench";

using var sim = await SimulatorProcess.StartAsync("--mode", "512");
await using var station = await StationUnderTest.StartAsync(sim,
    "--Station:Tokens:0:Holder=tech-on-duty", "--Station:Tokens:0:Role=technician", $"--Station:Tokens:0:Sha256={TokenStore.Sha256Hex(TechnicianToken)}",
    "--Station:Tokens:1:Holder=remote-cardiologist", "--Station:Tokens:1:Role=observer", $"--Station:Tokens:1:Sha256={TokenStore.Sha256Hex(ObserverToken)}",
    "--Station:Exposure:PedalLeaseMs=1000");
var target = new IPEndPoint(IPAddress.Loopback, station.WebPort);
await using var linkA = new ThrottlingRelay(target, kbps * 1000, TimeSpan.FromMilliseconds(delayMs), sharedLink: true);
await using var linkB = new ThrottlingRelay(target, kbps * 1000, TimeSpan.FromMilliseconds(delayMs), sharedLink: true);
string description = $"{kbps} kbit/s each way per participant, {delayMs} ms added each way";
var outcome = await PlaywrightRun.RunAsync("discussion-link.spec.ts", "discussion-link", new Dictionary<string, string>
{
    ["CATHLAB_URL"] = $"http://127.0.0.1:{station.WebPort}/",
    ["CATHLAB_TOKEN"] = TechnicianToken,
    ["CATHLAB_OBSERVER_TOKEN"] = ObserverToken,
    ["CATHLAB_LINK_A"] = $"http://127.0.0.1:{linkA.Port}/",
    ["CATHLAB_LINK_B"] = $"http://127.0.0.1:{linkB.Port}/",
    ["CATHLAB_LINK_DESCRIPTION"] = description,
    ["CATHLAB_POINTER_SECONDS"] = Option("--pointer-seconds", "20"),
    ["CATHLAB_ANNOTATIONS"] = Option("--annotations", "10"),
    ["CATHLAB_PLAY_FPS"] = Option("--play-fps", "10"),
});
Console.WriteLine(outcome.Output);
Console.WriteLine($"link: {description}; relay A forwarded {linkA.ForwardedBytes} bytes, B {linkB.ForwardedBytes}; longest late relay wake {Math.Max(linkA.LongestLateWakeMilliseconds, linkB.LongestLateWakeMilliseconds):F0} ms");
string samples = Path.Combine(PlaywrightRun.ArtifactsOf("discussion-link"), "discussion-link.json");
if (File.Exists(samples))
{
    string results = Path.Combine(PlaywrightRun.RepositoryRoot, "bench", "results", $"discussion-link-{kbps}k-{delayMs}ms-play{Option("--play-fps", "10")}.json");
    Directory.CreateDirectory(Path.GetDirectoryName(results)!);
    File.Copy(samples, results, overwrite: true);
    Console.WriteLine($"samples: {results}");
}
return outcome.ExitCode == 0 && outcome.Failed == 0 && outcome.Passed >= 1 ? 0 : 1;
