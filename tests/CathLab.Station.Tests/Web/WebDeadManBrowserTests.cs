using CathLab.Station.Control;
using CathLab.Station.Tests.Hil;
using CathLab.Testing;
using Xunit.Abstractions;

namespace CathLab.Station.Tests.Web;

/// <summary>The browser's exposure button as a dead-man (dead-man.spec.ts), one case per way a hold can end, held to
/// the bound of <see cref="DeadManPedalHilTests"/> with its 300 ms lease. The cases share one station with an open exam
/// (<see cref="DeadManBrowserStation"/>): each case ends with the pedal released, and each has a relay of its own.</summary>
[Collection(HilCollection.Name)]
public sealed class WebDeadManBrowserTests(DeadManBrowserStation rig, ITestOutputHelper output) : IClassFixture<DeadManBrowserStation>
{
    [Theory]
    [InlineData("releasing the button", "release")]
    [InlineData("the window losing focus", "blur")]
    [InlineData("the page hidden", "hidden")]
    [InlineData("closing the tab", "closed-tab")]
    [InlineData("a lost connection", "lost-connection")]
    public async Task The_exposure_button_is_a_dead_man(string testTitle, string scenario)
    {
        var (sim, station) = await rig.StartedAsync();
        await BrowserSpecRun.PlayAsync(output, sim, station, "dead-man.spec.ts", "dead-man-" + scenario, testTitle);
    }
}

/// <summary>The simulator and the station the dead-man cases share, started by the first case and stopped after the
/// last.</summary>
public sealed class DeadManBrowserStation : IAsyncLifetime
{
    private SimulatorProcess? _sim;
    private StationUnderTest? _station;

    internal async Task<(SimulatorProcess Sim, StationUnderTest Station)> StartedAsync()
    {
        if (_sim is null || _station is null)
        {
            _sim = await SimulatorProcess.StartAsync("--mode", "512");
            _station = await StationUnderTest.StartAsync(_sim, [.. BrowserSpecRun.Tokens, $"--Station:Exposure:PedalLeaseMs={DeadManPedalHilTests.LeaseMs}"]);
            await _station.Control.StartExamAsync(new ExamRequest("DOE^JOHN", "WEB-DEADMAN"), CancellationToken.None);
        }
        return (_sim, _station);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_station is not null) await _station.DisposeAsync();
        _sim?.Dispose();
    }
}
