extern alias console;
using CathLab.Station.Tests.Support;
using CathLab.Testing;
using console::CathLab.Console.Commands;

namespace CathLab.Station.Tests;

/// <summary>The <c>cathlab</c> station commands run in-process against a real control host: what they print,
/// what reaches the station, and their exit codes.</summary>
public sealed class ConsoleCommandTests : IAsyncLifetime
{
    private ControlTestServer _server = null!;

    private FakeStation Station => _server.Station;

    public async Task InitializeAsync() => _server = await ControlTestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private Task<(int Exit, string Out, string Err)> Run(params string[] args) => RunAs(ControlTestServer.TechnicianToken, CancellationToken.None, args);

    private async Task<(int Exit, string Out, string Err)> RunAs(string token, CancellationToken cancellation, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        using var hang = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        hang.CancelAfter(TimeSpan.FromSeconds(60));
        int exit = await CommandTable.DispatchAsync([.. args, "--server", _server.Address.ToString(), "--token", token], output, error, hang.Token);
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task StatusPrintsTheWholeLine()
    {
        var (exit, output, error) = await Run("status");
        Assert.True(exit == ExitCodes.Success, error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(3, lines.Length);
        Assert.Equal("IDLE fluoro-15 | exam EX-7 | 72.5 kV 8.3 mA 6.0 ms 15 pps | 14.2 mGy/min | Ka,r 35.13 mGy DAP 4.200 Gy.cm2 | tube 23% "
            + "| fluoro 05:12 5-MIN ALERT | frames 420 | PACS pending 2 committed 5 failed 1 | alert: tube warm", lines[0]);
        Assert.StartsWith("exam EX-7 open: patient DOE^JANE (ID PID-42), accession ACC-9, 2 recorded run(s)", lines[1]);
        Assert.Equal("run 3 cine-15 (cine) complete: 75 pulses, 75 frames, Ka,r 12.35 mGy, object /archive/EX-7/run3.dcm", lines[2]);
    }

    [Fact]
    public async Task StatusSaysWhenTheGeneratorIsNotConnected()
    {
        Station.Status = FakeStation.Idle with { Exam = null, CurrentRun = null, FluoroAlert = false, LastAlert = null, GeneratorConnected = false };
        var (_, output, _) = await Run("status");
        Assert.Contains("| no exam |", output);
        Assert.DoesNotContain("ALERT", output);
        Assert.EndsWith("GENERATOR NOT CONNECTED", output.Trim());
    }

    [Fact]
    public async Task StatusWatchPrintsOneLinePerUpdate()
    {
        var (exit, output, error) = await Run("status", "--watch", "--interval", "0.05", "--count", "3");
        Assert.True(exit == ExitCodes.Success, error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.All(lines, l => Assert.StartsWith("IDLE fluoro-15 | 72.5kV 8.3mA | ", l));
        Assert.All(lines, l => Assert.InRange(l.TrimEnd('\r').Length, 1, StationText.WatchWidth)); // rewritten in place on a 100-column terminal
    }

    [Fact]
    public async Task StatusShowsTheExposingRunsProtocolAndKeepsTheDoseWithinAHundredColumns()
    {
        Station.Status = FakeStation.Idle with
        {
            ExposureState = "ExposingCine",
            SelectedProtocol = "cardiac-fluoro-7.5",
            CurrentRun = FakeStation.CineRun with { Protocol = "cardiac-cine-30", State = CathLab.Station.Control.RunState.Exposing },
            Exam = FakeStation.OpenExam with { ExamId = "EXAM-20261206-191311-9234d5a81f262a29" },
            GeneratorConnected = false,
            LastAlert = "20:10:25 DoseReport: exam EXAM-20261206-201020-9234d5a81f262a29: dose report written, but the events disagree",
        };
        var (_, output, _) = await Run("status", "--watch", "--interval", "0.05", "--count", "1");
        string line = output.Trim();
        Assert.StartsWith("CINE cardiac-cine-30 | ", line);
        Assert.InRange(line.Length, 1, StationText.WatchWidth);
        Assert.Contains("Ka,r 35.13mGy DAP 4.200Gy.cm2", line);
        Assert.Contains("NO GENERATOR", line);
        Assert.Contains("fluoro 05:12 5-MIN ALERT", line);
        var (_, once, _) = await Run("status");
        Assert.Contains("| alert: 20:10:25 DoseReport: exam EXAM-20261206-201020-9234d5a81f262a29: dose report written, but the events disagree", once);
    }

    [Theory]
    [InlineData("Idle", "IDLE")]
    [InlineData("Preparing", "PREPARING")]
    [InlineData("Ready", "READY")]
    [InlineData("ExposingFluoro", "FLUORO")]
    [InlineData("ExposingCine", "CINE")]
    [InlineData("HighLevelFluoro", "HIGH-LEVEL-FLUORO")]
    [InlineData("Fault", "FAULT")]
    [InlineData("PreparingToExpose", "PREPARING-TO-EXPOSE")]
    [InlineData("Stopping", "STOPPING")]
    [InlineData("LinkDown", "LINK-DOWN")]
    [InlineData("Resetting", "RESETTING")]
    public void EveryExposureStateHasTheNameTheControlApiDocumentShows(string state, string name)
    {
        Assert.Equal(11, Enum.GetValues<FirmwareBridge.Exposure.ExposureState>().Length);
        Assert.Equal(name, StationText.StateName(state));
        string doc = File.ReadAllText(Path.Combine(ProtoContractTests.RepositoryRoot(), "docs", "control-api.md"));
        Assert.Contains($"`{name}`", doc, StringComparison.Ordinal);
        Assert.True(Enum.TryParse<FirmwareBridge.Exposure.ExposureState>(state, out _), $"{state} is no exposure state of the code");
    }


    [Fact]
    public async Task StatusWatchStopsCleanlyOnCtrlC()
    {
        using var stop = new CancellationTokenSource();
        var output = new InterruptAfterLines(2, stop);
        int exit = await CommandTable.DispatchAsync(["status", "--watch", "--interval", "0.05", "--server", _server.Address.ToString(), "--token", ControlTestServer.TechnicianToken],
            output, new StringWriter(), stop.Token);
        Assert.Equal(ExitCodes.Success, exit);
        Assert.StartsWith("IDLE", output.ToString());
    }

    /// <summary>Presses Ctrl+C (cancels) once the command has written so many lines.</summary>
    private sealed class InterruptAfterLines(int lines, CancellationTokenSource interrupt) : StringWriter
    {
        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            if (--lines == 0) interrupt.Cancel();
        }
    }

    [Fact]
    public async Task ExamStartPassesThePatient()
    {
        var (exit, output, error) = await Run("exam", "start", "--patient-name", "ROE^RICHARD", "--patient-id", "PID-9", "--accession", "A-1");
        Assert.True(exit == ExitCodes.Success, error);
        Assert.Equal(new CathLab.Station.Control.ExamRequest("ROE^RICHARD", "PID-9", "A-1", "", null), Station.StartedWith);
        Assert.StartsWith("exam EX-7 open: patient ROE^RICHARD (ID PID-9), accession A-1", output);
    }

    [Fact]
    public async Task ExamStartEmergency()
    {
        var (exit, _, error) = await Run("exam", "start", "--emergency");
        Assert.True(exit == ExitCodes.Success, error);
        Assert.Equal(new CathLab.Station.Control.ExamRequest("", "", "", "", null), Station.StartedWith);
    }

    [Theory]
    [InlineData("exam", "start", "--patient-name", "DOE^JANE")]
    [InlineData("exam", "start", "--emergency", "--patient-id", "P")]
    [InlineData("exam", "begin")]
    [InlineData("exam")]
    [InlineData("exam", "end", "--reason", "why")]
    [InlineData("exam", "end", "--patient-id", "P")]
    [InlineData("pedal", "sideways")]
    [InlineData("pedal", "up", "--protocol", "cine-15")]
    [InlineData("fluoro")]
    [InlineData("fluoro", "--seconds", "0")]
    [InlineData("fluoro", "--seconds", "601")]
    [InlineData("cine", "--seconds", "5")]
    [InlineData("save-fluoro", "--seconds", "-1")]
    [InlineData("remask", "--run", "2", "--frames", "1,x")]
    [InlineData("remask", "--run", "2", "--frames", "1,1")]
    [InlineData("remask", "--run", "2.5", "--frames", "1")]
    [InlineData("remask", "--frames", "1")]
    [InlineData("outbox", "--to", "PACS2")]
    [InlineData("outbox", "--retry", "abc")]
    [InlineData("status", "--count", "3")]
    [InlineData("status", "--bogus")]
    [InlineData("protocol", "dsa-peripheral", "--side", "left")]
    [InlineData("cine", "--protocol", "dsa-peripheral", "--seconds", "1", "--side", "X")]
    public async Task AUsageErrorSaysWhyAndSendsNothing(params string[] args)
    {
        var (exit, output, error) = await Run(args);
        Assert.Equal(ExitCodes.Usage, exit);
        Assert.StartsWith($"cathlab {args[0]}: ", error);
        Assert.Contains("usage: cathlab " + args[0], error);
        Assert.Equal("", output);
        Assert.Empty(Station.Calls);
    }

    [Fact]
    public async Task ExamEndDiscontinued()
    {
        var (exit, output, error) = await Run("exam", "end", "--discontinued", "--reason", "patient unstable");
        Assert.True(exit == ExitCodes.Success, error);
        Assert.Equal(new CathLab.Station.Control.ExamEnd(true, "patient unstable"), Station.EndedWith);
        Assert.Contains("exam EX-7 closed", output);
        Assert.Contains("(discontinued)", output);
    }

    [Fact]
    public async Task ProtocolsMarkTheSelectedOne()
    {
        var (exit, output, error) = await Run("protocols");
        Assert.True(exit == ExitCodes.Success, error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.StartsWith("  fluoro-7.5", lines[0]);
        Assert.StartsWith("* fluoro-15", lines[1]);
        Assert.Contains("cine 15 pps 5 s", lines[2]);
        Assert.Contains("arterial 4 pps 6 s, then venous 1 pps while held, mask 3 frame(s)", lines[3]);
    }

    [Fact]
    public async Task ProtocolSelects()
    {
        var (exit, output, _) = await Run("protocol", "cine-15");
        Assert.Equal(ExitCodes.Success, exit);
        Assert.Equal("cine-15", Station.Selected);
        Assert.Contains("selected protocol", output);
    }

    [Fact]
    public async Task ProtocolAndCineTakeTheSideOfAPairedBodyPart()
    {
        var (exit, output, _) = await Run("protocol", "dsa-peripheral", "--side", "r");
        Assert.Equal(ExitCodes.Success, exit);
        Assert.Equal(("dsa-peripheral", "R"), (Station.Selected, Station.SelectedSide));
        Assert.Contains("side R", output);
        var (cine, _, error) = await Run("cine", "--protocol", "dsa-peripheral", "--seconds", "0.1", "--side", "L");
        Assert.True(cine == ExitCodes.Success, error);
        Assert.Equal("L", Station.PressedSide);
    }

    [Fact]
    public async Task PedalDownHoldsUntilInterruptedThenReleases()
    {
        using var interrupt = new CancellationTokenSource();
        Station.OnPedalDown = () => interrupt.CancelAfter(200);
        var (down, output, error) = await RunAs(ControlTestServer.TechnicianToken, interrupt.Token, "pedal", "down", "--protocol", "cine-15");
        Assert.True(down == ExitCodes.Success, error);
        Assert.Equal("cine-15", Station.PressedWith);
        Assert.Contains("exposing", output);
        Assert.Contains("run 3 cine-15 (cine) complete: 75 pulses, 75 frames", output);
        Assert.Equal(["pedal-down", "pedal-up"], Station.Calls);
        Assert.Equal("released", Station.ReleasedBecause);
        Assert.Equal(CathLab.FirmwareBridge.Exposure.InputSource.Console, Station.PressedFrom);
    }

    [Fact]
    public async Task PedalUpIsNotACommandOfADeadMan()
    {
        var (up, _, error) = await Run("pedal", "up");
        Assert.Equal(ExitCodes.Usage, up);
        Assert.Contains("dead-man", error);
        Assert.Empty(Station.Calls);
    }

    [Fact]
    public async Task FluoroHoldsTheSelectedFluoroProtocolThenReleases()
    {
        var (exit, output, error) = await Run("fluoro", "--seconds", "0.2");
        Assert.True(exit == ExitCodes.Success, error);
        Assert.Equal("fluoro-15", Station.PressedWith);
        Assert.Equal(["pedal-down", "pedal-up"], Station.Calls);
        Assert.Equal(2, output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public async Task FluoroFallsBackToAFluoroProtocolWhenACineIsSelected()
    {
        Station.Status = FakeStation.Idle with { SelectedProtocol = "cine-15" };
        var (exit, _, _) = await Run("fluoro", "--seconds", "0.1");
        Assert.Equal(ExitCodes.Success, exit);
        Assert.Equal("fluoro-7.5", Station.PressedWith);
    }

    [Fact]
    public async Task CineHoldsTheNamedRecordedProtocol()
    {
        var (exit, output, error) = await Run("cine", "--protocol", "dsa-peripheral", "--seconds", "0.2");
        Assert.True(exit == ExitCodes.Success, error);
        Assert.Equal("dsa-peripheral", Station.PressedWith);
        Assert.Contains("object /archive/EX-7/run3.dcm", output);
    }

    [Fact]
    public async Task CineRefusesAFluoroProtocolBeforePressingThePedal()
    {
        var (exit, _, error) = await Run("cine", "--protocol", "fluoro-15", "--seconds", "1");
        Assert.Equal(ExitCodes.Refused, exit);
        Assert.Contains("'fluoro-15' is a fluoro protocol", error);
        Assert.Empty(Station.Calls);
    }

    [Fact]
    public async Task CineWithAnUnknownProtocolIsNotFound()
    {
        var (exit, _, error) = await Run("cine", "--protocol", "nope", "--seconds", "1");
        Assert.Equal(ExitCodes.Refused, exit);
        Assert.Contains("NotFound", error);
        Assert.Empty(Station.Calls);
    }

    [Fact]
    public async Task AnInterruptedHoldStillReleasesThePedal()
    {
        using var interrupt = new CancellationTokenSource();
        Station.OnPedalDown = interrupt.Cancel;
        var (exit, output, _) = await RunAs(ControlTestServer.TechnicianToken, interrupt.Token, "fluoro", "--seconds", "600");
        Assert.Equal(ExitCodes.Failure, exit);
        Assert.Equal(["pedal-down", "pedal-up"], Station.Calls);
        Assert.Contains("interrupted", output);
    }

    [Fact]
    public async Task AFailedRunExitsNonZero()
    {
        Station.NextRun = FakeStation.CineRun with { State = CathLab.Station.Control.RunState.Failed, ObjectPath = null, Failure = "recorder fell behind" };
        var (exit, output, _) = await Run("cine", "--protocol", "cine-15", "--seconds", "0.1");
        Assert.Equal(ExitCodes.Failure, exit);
        Assert.Contains("FAILED", output);
        Assert.Contains("failure: recorder fell behind", output);
        Assert.Equal(["pedal-down", "pedal-up"], Station.Calls);
    }

    [Fact]
    public async Task SaveFluoroPassesTheSeconds()
    {
        var (exit, output, _) = await Run("save-fluoro", "--seconds", "4");
        Assert.Equal(ExitCodes.Success, exit);
        Assert.Equal(4, Station.SavedSeconds);
        Assert.StartsWith("run 3", output);
    }

    [Fact]
    public async Task RemaskPassesRunAndFrames()
    {
        var (exit, output, error) = await Run("remask", "--run", "2", "--frames", "1, 2,3");
        Assert.True(exit == ExitCodes.Success, error);
        Assert.Equal(2, Station.Remasked!.Value.Run);
        Assert.Equal([1, 2, 3], Station.Remasked.Value.Frames);
        Assert.StartsWith("run 2", output);
    }

    [Fact]
    public async Task ResetFault()
    {
        var (exit, output, _) = await Run("reset-fault");
        Assert.Equal(ExitCodes.Success, exit);
        Assert.Equal("fault reset", output.Trim());
        Assert.Equal(["reset-fault"], Station.Calls);
    }

    [Fact]
    public async Task OutboxListsAndRetries()
    {
        var (exit, output, _) = await Run("outbox");
        Assert.Equal(ExitCodes.Success, exit);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Matches(@"^#12\s+FAILED\s+PACS1\s+attempts 4\s+2026-11-24 12:00:05Z\s+run 3 cine-15\s+1\.2\.3\.4\.12\s+last error: association rejected", lines[0]);
        Assert.Matches(@"^#11\s+committed\s+PACS1", lines[1]);

        (exit, output, _) = await Run("outbox", "--retry", "12", "--to", "PACS2");
        Assert.Equal(ExitCodes.Success, exit);
        Assert.Equal((12L, (string?)"PACS2"), Station.Retried);
        Assert.Equal("outbox item 12 offered again to PACS2", output.Trim());
    }

    [Fact]
    public async Task ARefusalPrintsOneLineAndExitsRefused()
    {
        Station.Refuse = new CathLab.Station.Control.StationRefusedException("no exam open");
        var (exit, output, error) = await Run("pedal", "down");
        Assert.Equal(ExitCodes.Refused, exit);
        Assert.Equal("", output);
        Assert.Equal("cathlab pedal: refused by the station (FailedPrecondition): no exam open", error.Trim());
    }

    [Fact]
    public async Task ABadValueTheStationRejectsExitsRefused()
    {
        var (exit, _, error) = await Run("outbox", "--retry", "12", "--to", "AN_AE_TITLE_TOO_LONG");
        Assert.Equal(ExitCodes.Refused, exit);
        Assert.Contains("InvalidArgument", error);
        Assert.Null(Station.Retried);
    }

    [Theory]
    [InlineData(ControlTestServer.ObserverToken, "PermissionDenied")]
    [InlineData("wrong-token", "Unauthenticated")]
    public async Task ATokenThatMayNotExitsRefused(string token, string status)
    {
        var (exit, _, error) = await RunAs(token, CancellationToken.None, "pedal", "down");
        Assert.Equal(ExitCodes.Refused, exit);
        Assert.Contains(status, error);
        Assert.Empty(Station.Calls);
    }

    [Fact]
    public async Task AStationThatIsNotThereIsAFailure()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        string server = $"http://127.0.0.1:{FreePort.Next()}";
        int exit = await CommandTable.DispatchAsync(["status", "--server", server, "--token", "t"], output, error, CancellationToken.None);
        Assert.Equal(ExitCodes.Failure, exit);
        Assert.StartsWith($"cathlab status: cannot reach the station at {server}/ (Unavailable)", error.ToString());
    }

    [Fact]
    public async Task HelpListsTheStationCommands()
    {
        var output = new StringWriter();
        int exit = await CommandTable.DispatchAsync(["help"], output, new StringWriter(), CancellationToken.None);
        Assert.Equal(ExitCodes.Success, exit);
        foreach (var name in new[] { "status", "exam", "protocols", "protocol", "pedal", "fluoro", "cine", "save-fluoro", "remask", "reset-fault", "outbox", "observe" })
            Assert.Contains($"  {name} ", output.ToString());
    }
}
