using CathLab.Station.Control;
using CathLab.Station.Tests.Support;
using Grpc.Core;
using Proto = CathLab.Station.Protocol;

namespace CathLab.Station.Tests;

/// <summary>Every control call through a real gRPC host: the request reaches the station as sent, the reply comes
/// back as the station made it, malformed requests stop before the station, refusals keep their reason.</summary>
public sealed class ControlServiceTests : IAsyncLifetime
{
    private ControlTestServer _server = null!;
    private ControlClient _client = null!;

    private FakeStation Station => _server.Station;

    private Proto.StationControl.StationControlClient Stub => _client.Stub;

    private Metadata Token => _client.Headers;

    public async Task InitializeAsync()
    {
        _server = await ControlTestServer.StartAsync();
        _client = new ControlClient(_server.Address, ControlTestServer.TechnicianToken);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task StatusCarriesEveryField()
    {
        var s = await Stub.GetStatusAsync(new Proto.GetStatusRequest(), Token);
        Assert.Equal("Idle", s.ExposureState);
        Assert.Equal("fluoro-15", s.SelectedProtocol);
        Assert.Equal("EX-7", s.Exam.ExamId);
        Assert.Equal("DOE^JANE", s.Exam.PatientName);
        Assert.Equal(3, s.CurrentRun.Number);
        Assert.Equal(Proto.RunKind.Cine, s.CurrentRun.Kind);
        Assert.Equal(Proto.RunState.Complete, s.CurrentRun.State);
        Assert.Equal(72.5, s.Technique.Kv);
        Assert.Equal(8.25, s.Technique.Ma);
        Assert.Equal(6, s.Technique.PulseWidthMs);
        Assert.Equal(15, s.Technique.PulseRate);
        Assert.Equal(14.2, s.AirKermaRateMgyPerMin);
        Assert.Equal(35.125, s.ReferenceAirKermaMgy);
        Assert.Equal(4.2, s.DoseAreaProductGyCm2);
        Assert.Equal(312, s.FluoroTimeSeconds);
        Assert.True(s.FluoroAlert);
        Assert.Equal(23, s.TubeHeatPercent);
        Assert.Equal(420, s.FramesRecorded);
        Assert.Equal((2, 5, 1), (s.ObjectsPending, s.ObjectsCommitted, s.ObjectsFailed));
        Assert.Equal("tube warm", s.LastAlert);
        Assert.True(s.GeneratorConnected);
    }

    [Fact]
    public async Task AbsentValuesStayAbsent()
    {
        Station.Status = FakeStation.Idle with { SelectedProtocol = null, Exam = null, CurrentRun = null, LastAlert = null, GeneratorConnected = false };
        var s = await Stub.GetStatusAsync(new Proto.GetStatusRequest(), Token);
        Assert.False(s.HasSelectedProtocol);
        Assert.Null(s.Exam);
        Assert.Null(s.CurrentRun);
        Assert.False(s.HasLastAlert);
        Assert.False(s.GeneratorConnected);
    }

    [Fact]
    public async Task WatchStatusFollowsTheStationUntilTheClientStops()
    {
        using var stop = new CancellationTokenSource();
        using var call = Stub.WatchStatus(new Proto.WatchStatusRequest { IntervalSeconds = 0.05 }, Token, cancellationToken: stop.Token);
        Assert.True(await call.ResponseStream.MoveNext(stop.Token));
        Assert.Equal(420, call.ResponseStream.Current.FramesRecorded);
        Station.Status = FakeStation.Idle with { FramesRecorded = 421 };
        while (await call.ResponseStream.MoveNext(stop.Token) && call.ResponseStream.Current.FramesRecorded != 421)
        {
        }
        Assert.Equal(421, call.ResponseStream.Current.FramesRecorded);
        stop.Cancel();
        var end = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(StatusCode.Cancelled, end.StatusCode);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(0.001)]
    [InlineData(61)]
    [InlineData(double.NaN)]
    public async Task WatchStatusRefusesAnIntervalOutOfRange(double interval)
    {
        using var call = Stub.WatchStatus(new Proto.WatchStatusRequest { IntervalSeconds = interval }, Token);
        var e = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains("interval_seconds", e.Status.Detail);
    }

    [Fact]
    public async Task ProtocolsCarryKindPhasesAndMask()
    {
        var reply = await Stub.ListProtocolsAsync(new Proto.ListProtocolsRequest(), Token);
        Assert.Equal(["fluoro-7.5", "fluoro-15", "cine-15", "dsa-peripheral"], reply.Protocols.Select(p => p.Name));
        var dsa = reply.Protocols[3];
        Assert.Equal(Proto.RunKind.Dsa, dsa.Kind);
        Assert.True(dsa.Recorded);
        Assert.Equal(3, dsa.MaskFrames);
        Assert.Equal("peripheral DSA", dsa.Description);
        Assert.Equal(("arterial", 4.0, 6.0), (dsa.Phases[0].Name, dsa.Phases[0].PulseRate, dsa.Phases[0].DurationSeconds));
        Assert.False(dsa.Phases[1].HasDurationSeconds);
        Assert.Equal(Proto.RunKind.Fluoro, reply.Protocols[0].Kind);
        Assert.False(reply.Protocols[0].Recorded);
        Assert.Equal(7.5, reply.Protocols[0].Phases[0].PulseRate);
    }

    [Fact]
    public async Task StartExamPassesThePatientAndReturnsTheExam()
    {
        var exam = await Stub.StartExamAsync(new Proto.StartExamRequest
        {
            PatientName = "ROE^RICHARD", PatientId = "PID-9", AccessionNumber = "A-1", StudyDescription = "coronary angiography",
        }, Token);
        Assert.Equal(new ExamRequest("ROE^RICHARD", "PID-9", "A-1", "coronary angiography", null), Station.StartedWith);
        Assert.Equal(("EX-7", "ROE^RICHARD", "PID-9", "A-1", true), (exam.ExamId, exam.PatientName, exam.PatientId, exam.AccessionNumber, exam.Open));
        Assert.Equal(FakeStation.OpenExam.StudyInstanceUid, exam.StudyInstanceUid);
    }

    [Fact]
    public async Task AnEmptyPatientIsAnEmergencyExam()
    {
        await Stub.StartExamAsync(new Proto.StartExamRequest(), Token);
        Assert.Equal(new ExamRequest("", "", "", "", null), Station.StartedWith);
    }

    public static TheoryData<Proto.StartExamRequest, string> BadExams => new()
    {
        { new Proto.StartExamRequest { PatientName = "DOE^JANE" }, "patient_id" },
        { new Proto.StartExamRequest { PatientId = "PID-1" }, "patient_name" },
        { new Proto.StartExamRequest { PatientName = new string('A', 65), PatientId = "P" }, "patient_name is longer than 64" },
        { new Proto.StartExamRequest { PatientName = "DOE^JANE", PatientId = "P\\Q" }, "patient_id contains a backslash" },
        { new Proto.StartExamRequest { PatientName = "DOE^JANE", PatientId = "P", AccessionNumber = "12345678901234567" }, "accession_number is longer than 16" },
        { new Proto.StartExamRequest { PatientName = "DOE\nJANE", PatientId = "P" }, "patient_name contains control characters" },
        { new Proto.StartExamRequest { WorklistItemId = " " }, "worklist_item_id is required" },
        { new Proto.StartExamRequest { PatientName = "DOE^JANE", PatientId = "P", WorklistItemId = "WL-3" }, "takes its patient from the worklist" },
    };

    [Theory]
    [MemberData(nameof(BadExams))]
    public async Task AMalformedExamStopsBeforeTheStation(Proto.StartExamRequest request, string problem)
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => Stub.StartExamAsync(request, Token).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains(problem, e.Status.Detail);
        Assert.Empty(Station.Calls);
    }

    [Fact]
    public async Task EndExamPassesTheDiscontinuation()
    {
        var exam = await Stub.EndExamAsync(new Proto.EndExamRequest { Discontinued = true, Reason = "patient unstable" }, Token);
        Assert.Equal(new ExamEnd(true, "patient unstable"), Station.EndedWith);
        Assert.False(exam.Open);
        await Stub.EndExamAsync(new Proto.EndExamRequest(), Token);
        Assert.Equal(new ExamEnd(false, ""), Station.EndedWith);
    }

    [Fact]
    public async Task AReasonWithoutDiscontinuedIsRefused()
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => Stub.EndExamAsync(new Proto.EndExamRequest { Reason = "why" }, Token).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Empty(Station.Calls);
    }

    [Fact]
    public async Task SelectProtocolPassesTheName()
    {
        Station.Status = FakeStation.Idle with { SelectedProtocol = "cine-15" };
        var reply = await Stub.SelectProtocolAsync(new Proto.SelectProtocolRequest { Name = "cine-15" }, Token);
        Assert.Equal("cine-15", Station.Selected);
        Assert.Equal("cine-15", reply.Selected);
    }

    [Theory]
    [InlineData("r")]
    [InlineData("LEFT")]
    [InlineData("B")]
    public async Task ALateralityOtherThanROrLIsRefused(string side)
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => Stub.SelectProtocolAsync(new Proto.SelectProtocolRequest { Name = "dsa-peripheral", Laterality = side }, Token).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains("laterality", e.Status.Detail);
        var down = await Assert.ThrowsAsync<RpcException>(() => PressAndReleaseAsync(new Proto.PedalPress { Protocol = "dsa-peripheral", Laterality = side }));
        Assert.Equal(StatusCode.InvalidArgument, down.StatusCode);
        Assert.Empty(Station.Calls);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public async Task AnEmptyProtocolNameIsRefused(string name)
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => Stub.SelectProtocolAsync(new Proto.SelectProtocolRequest { Name = name }, Token).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Empty(Station.Calls);
        if (name.Length == 0) return; // an empty protocol in a press means the selected one
        var down = await Assert.ThrowsAsync<RpcException>(() => PressAndReleaseAsync(new Proto.PedalPress { Protocol = name }));
        Assert.Equal(StatusCode.InvalidArgument, down.StatusCode);
        Assert.Empty(Station.Calls);
    }

    [Fact]
    public async Task AHeldPedalMapsTheRunAndItsReleaseTheClosedRun()
    {
        using var pedal = await PressAsync(new Proto.PedalPress { Protocol = "cine-15" });
        var held = pedal.Held;
        Assert.Equal("cine-15", Station.PressedWith);
        Assert.Equal(Proto.RunState.Exposing, held.Run.State);
        Assert.False(held.Run.HasObjectPath);
        Assert.Equal((uint)PedalLease.DefaultMs, held.LeaseMs);
        Assert.Equal((uint)PedalLease.DefaultMs / 3, held.RenewIntervalMs);
        var up = await pedal.ReleaseAsync();
        Assert.Equal(HeldPedalCall.Released, up.Reason);
        var run = up.Run;
        Assert.Equal((3, "cine-15", Proto.RunKind.Cine, Proto.RunState.Complete, 75, 75, 12.345), (run.Number, run.Protocol, run.Kind, run.State, run.Pulses, run.Frames, run.ReferenceAirKermaMgy));
        Assert.Equal("/archive/EX-7/run3.dcm", run.ObjectPath);
        Assert.False(run.HasFailure);
        Assert.Equal(Grpc.Core.StatusCode.OK, pedal.CallStatus.StatusCode);
    }

    [Fact]
    public async Task AnEmptyProtocolPressesTheSelectedOne()
    {
        using var pedal = await PressAsync(new Proto.PedalPress());
        Assert.Null(Station.PressedWith);
        Assert.Null(Station.PressedSide);
        await pedal.ReleaseAsync();
    }

    [Fact]
    public async Task AFailedRunCarriesItsFailure()
    {
        Station.NextRun = FakeStation.CineRun with { Kind = "Dsa", State = RunState.Failed, ObjectPath = null, Failure = "recorder fell behind" };
        using var pedal = await PressAsync(new Proto.PedalPress());
        var run = (await pedal.ReleaseAsync()).Run;
        Assert.Equal((Proto.RunKind.Dsa, Proto.RunState.Failed, "recorder fell behind"), (run.Kind, run.State, run.Failure));
        Assert.False(run.HasObjectPath);
    }

    /// <summary>The station ends the press by itself (its exposure controller signals the end, whatever caused it):
    /// the held call releases at once with the reason, while the client is still renewing and the station's status
    /// still shows the run exposing.</summary>
    [Fact]
    public async Task APressTheStationEndsReleasesTheHeldPedalWithItsReason()
    {
        using var pedal = await PressAsync(new Proto.PedalPress { Protocol = "fluoro-15" });
        Station.EndPress("Exposing -> Fault on GeneratorFault from Generator: Arc");
        var up = await pedal.ReleasedAsync();
        Assert.Contains("ended by the station", up.Reason);
        Assert.Contains("GeneratorFault", up.Reason);
        Assert.Equal(up.Reason, await Station.Released.Task);
    }

    [Fact]
    public async Task ResettingTheFluoroTimerSaysWhetherItWasSoundingAndIsAudited()
    {
        var reply = await Stub.ResetFluoroTimerAsync(new Proto.ResetFluoroTimerRequest(), Token);
        Assert.True(reply.WasSounding); // the fake's status has the alert on
        Assert.Equal(["reset-fluoro-timer"], Station.Calls);
        Assert.Contains(_server.Audit.Recent(), r => r.Action == "reset-fluoro-timer" && r.Outcome == "OK");
    }

    private Task<HeldPedal> PressAsync(Proto.PedalPress press) => HeldPedal.PressAsync(Stub, Token, press);

    /// <summary>Presses and releases at once: the press's refusal, if any, comes out as an RpcException.</summary>
    private async Task PressAndReleaseAsync(Proto.PedalPress press)
    {
        using var pedal = await PressAsync(press);
        await pedal.ReleaseAsync();
    }

    [Fact]
    public async Task SaveLastFluoroPassesTheSeconds()
    {
        await Stub.SaveLastFluoroAsync(new Proto.SaveLastFluoroRequest { Seconds = 4.5 }, Token);
        Assert.Equal(4.5, Station.SavedSeconds);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public async Task SaveLastFluoroRefusesSecondsThatAreNotPositive(double seconds)
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => Stub.SaveLastFluoroAsync(new Proto.SaveLastFluoroRequest { Seconds = seconds }, Token).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Empty(Station.Calls);
    }

    [Fact]
    public async Task RemaskPassesRunAndFrames()
    {
        var run = await Stub.RemaskAsync(new Proto.RemaskRequest { RunNumber = 2, MaskFrames = { 1, 2, 3 } }, Token);
        Assert.Equal(2, Station.Remasked!.Value.Run);
        Assert.Equal([1, 2, 3], Station.Remasked.Value.Frames);
        Assert.Equal(2, run.Number);
    }

    public static TheoryData<int, int[], string> BadRemasks => new()
    {
        { 0, [1], "run_number" },
        { 2, [], "at least one frame" },
        { 2, [0, 1], "numbered from 1" },
        { 2, [1, -4], "numbered from 1" },
        { 2, [1, 2, 1], "given twice" },
    };

    [Theory]
    [MemberData(nameof(BadRemasks))]
    public async Task AMalformedRemaskStopsBeforeTheStation(int run, int[] frames, string problem)
    {
        var request = new Proto.RemaskRequest { RunNumber = run };
        request.MaskFrames.AddRange(frames);
        var e = await Assert.ThrowsAsync<RpcException>(() => Stub.RemaskAsync(request, Token).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains(problem, e.Status.Detail);
        Assert.Empty(Station.Calls);
    }

    [Fact]
    public async Task ResetFaultReachesTheStation()
    {
        await Stub.ResetFaultAsync(new Proto.ResetFaultRequest(), Token);
        Assert.Equal(["reset-fault"], Station.Calls);
    }

    [Fact]
    public async Task OutboxItemsCarryStateErrorAndTime()
    {
        var reply = await Stub.ListOutboxAsync(new Proto.ListOutboxRequest(), Token);
        Assert.Equal(2, reply.Items.Count);
        var failed = reply.Items[0];
        Assert.Equal((12L, "1.2.3.4.12", "run 3 cine-15", "PACS1", Proto.OutboxItemState.Failed, 4, "association rejected"),
            (failed.Id, failed.SopInstanceUid, failed.Description, failed.Destination, failed.State, failed.Attempts, failed.LastError));
        Assert.Equal(new DateTimeOffset(2026, 11, 24, 12, 0, 5, TimeSpan.Zero), failed.UpdatedAt.ToDateTimeOffset());
        Assert.Equal(Proto.OutboxItemState.Committed, reply.Items[1].State);
        Assert.False(reply.Items[1].HasLastError);
    }

    [Fact]
    public async Task RetryPassesTheItemAndDestination()
    {
        await Stub.RetryOutboxItemAsync(new Proto.RetryOutboxItemRequest { Id = 12, Destination = "PACS2" }, Token);
        Assert.Equal((12L, (string?)"PACS2"), Station.Retried);
        await Stub.RetryOutboxItemAsync(new Proto.RetryOutboxItemRequest { Id = 12 }, Token);
        Assert.Equal((12L, (string?)null), Station.Retried);
    }

    [Theory]
    [InlineData(0, null, "id")]
    [InlineData(12, "", "destination is required")]
    [InlineData(12, "AN_AE_TITLE_TOO_LONG", "longer than 16")]
    public async Task AMalformedRetryStopsBeforeTheStation(long id, string? destination, string problem)
    {
        var request = new Proto.RetryOutboxItemRequest { Id = id };
        if (destination is not null) request.Destination = destination;
        var e = await Assert.ThrowsAsync<RpcException>(() => Stub.RetryOutboxItemAsync(request, Token).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains(problem, e.Status.Detail);
        Assert.Empty(Station.Calls);
    }

    public static TheoryData<string> ChangingCalls => ["start-exam", "end-exam", "select-protocol", "pedal-down", "save-last-fluoro", "remask", "reset-fault", "reset-fluoro-timer", "retry-outbox-item"];

    private Task Invoke(string call) => call switch
    {
        "start-exam" => Stub.StartExamAsync(new Proto.StartExamRequest { PatientName = "DOE^JANE", PatientId = "P" }, Token).ResponseAsync,
        "end-exam" => Stub.EndExamAsync(new Proto.EndExamRequest(), Token).ResponseAsync,
        "select-protocol" => Stub.SelectProtocolAsync(new Proto.SelectProtocolRequest { Name = "cine-15" }, Token).ResponseAsync,
        "pedal-down" => PressAndReleaseAsync(new Proto.PedalPress()),
        "save-last-fluoro" => Stub.SaveLastFluoroAsync(new Proto.SaveLastFluoroRequest { Seconds = 3 }, Token).ResponseAsync,
        "remask" => Stub.RemaskAsync(new Proto.RemaskRequest { RunNumber = 1, MaskFrames = { 1 } }, Token).ResponseAsync,
        "reset-fault" => Stub.ResetFaultAsync(new Proto.ResetFaultRequest(), Token).ResponseAsync,
        "reset-fluoro-timer" => Stub.ResetFluoroTimerAsync(new Proto.ResetFluoroTimerRequest(), Token).ResponseAsync,
        "retry-outbox-item" => Stub.RetryOutboxItemAsync(new Proto.RetryOutboxItemRequest { Id = 1 }, Token).ResponseAsync,
        _ => throw new ArgumentOutOfRangeException(nameof(call)),
    };

    [Theory]
    [MemberData(nameof(ChangingCalls))]
    public async Task ARefusalIsFailedPreconditionWithTheReason(string call)
    {
        Station.Refuse = new StationRefusedException($"{call}: not now, the generator reports a fault");
        var e = await Assert.ThrowsAsync<RpcException>(() => Invoke(call));
        Assert.Equal(StatusCode.FailedPrecondition, e.StatusCode);
        Assert.Equal($"{call}: not now, the generator reports a fault", e.Status.Detail);
        Assert.Contains(_server.Audit.Recent(), r => r.Action == call && r.Outcome == "FailedPrecondition" && r.Subject == "tech-on-duty");
    }

    [Fact]
    public async Task AnUnknownItemIsNotFoundAndABadValueInvalidArgument()
    {
        Station.Refuse = new KeyNotFoundException("no outbox item 99");
        var missing = await Assert.ThrowsAsync<RpcException>(() => Stub.RetryOutboxItemAsync(new Proto.RetryOutboxItemRequest { Id = 99 }, Token).ResponseAsync);
        Assert.Equal((StatusCode.NotFound, "no outbox item 99"), (missing.StatusCode, missing.Status.Detail));

        Station.Refuse = new ArgumentException("run 4 has only 2 pre-contrast frames");
        var bad = await Assert.ThrowsAsync<RpcException>(() => Stub.RemaskAsync(new Proto.RemaskRequest { RunNumber = 4, MaskFrames = { 3 } }, Token).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, bad.StatusCode);
        Assert.Contains("only 2 pre-contrast frames", bad.Status.Detail);
    }

    [Fact]
    public async Task WhatChangesTheStationIsAudited()
    {
        await PressAndReleaseAsync(new Proto.PedalPress { Protocol = "fluoro-15" });
        var record = Assert.Single(_server.Audit.Recent(), r => r.Action == "pedal-down");
        Assert.Equal(("tech-on-duty", "OK", "EX-7", "Technician", "console hold, fluoro-15"), (record.Subject, record.Outcome, record.ExamId, record.Role, record.Detail));
        var release = Assert.Single(_server.Audit.Recent(), r => r.Action == "pedal-up");
        Assert.Equal(("OK", "console: released"), (release.Outcome, release.Detail));
    }
}
