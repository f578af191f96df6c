using System.Net;
using CathLab.Security.Access;
using CathLab.Station.Tests.Hil;
using CathLab.Testing;
using Xunit.Abstractions;

namespace CathLab.Station.Tests.Web;

/// <summary>Runs one Playwright spec (or one case of it) against a station on simulated hardware: the page reaches
/// the station through a relay the spec may stall, the spec may call the rig's named actions, and the test passes when
/// Playwright's report has every test passed. Screenshots and Playwright's output are kept under artifacts/web/.</summary>
internal static class BrowserSpecRun
{
    public const string TechnicianToken = "technician-token-for-the-browser-tests";
    public const string ObserverToken = "observer-token-for-the-browser-tests";

    public static readonly string[] Tokens =
    [
        "--Station:Tokens:0:Holder=tech-on-duty", "--Station:Tokens:0:Role=technician", $"--Station:Tokens:0:Sha256={TokenStore.Sha256Hex(TechnicianToken)}",
        "--Station:Tokens:1:Holder=remote-cardiologist", "--Station:Tokens:1:Role=observer", $"--Station:Tokens:1:Sha256={TokenStore.Sha256Hex(ObserverToken)}",
    ];

    public static async Task PlayAsync(ITestOutputHelper output, SimulatorProcess sim, StationUnderTest station, string spec, string scenario,
        string? grep, IReadOnlyDictionary<string, Func<Task>>? actions = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        // The page reaches the station through a relay that the lost-connection case stalls; the others never do.
        await using var relay = new StallingRelay(new IPEndPoint(IPAddress.Loopback, station.WebPort));
        var rigActions = new Dictionary<string, Func<Task>>
        {
            ["stall"] = () => { relay.Stall(); return Task.CompletedTask; },
            ["restart-station"] = station.RestartAsync,
        };
        foreach (var (name, action) in actions ?? new Dictionary<string, Func<Task>>()) rigActions[name] = action;
        await using var hook = new RigHook(sim, rigActions);
        var variables = new Dictionary<string, string>
        {
            ["CATHLAB_URL"] = $"http://127.0.0.1:{relay.Port}/",
            ["CATHLAB_TOKEN"] = TechnicianToken,
            ["CATHLAB_OBSERVER_TOKEN"] = ObserverToken,
            ["CATHLAB_HOOK"] = hook.Url,
            ["CATHLAB_ALLOWED_PULSES"] = DeadManPedalHilTests.AllowedAfterCut.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) variables[name] = value;
        var outcome = await PlaywrightRun.RunAsync(spec, scenario, variables, grep);
        output.WriteLine(outcome.Output);
        output.WriteLine($"artifacts: {PlaywrightRun.ArtifactsOf(scenario)}");
        Assert.True(outcome.ExitCode == 0 && outcome.Failed == 0 && outcome.Passed >= 1,
            $"playwright exited {outcome.ExitCode}: {outcome.Passed} passed, {outcome.Failed} failed, {outcome.Skipped} skipped (report {outcome.ReportPath})");
    }
}
