extern alias console;
using CathLab.Station.Control;
using CathLab.Station.Tests.Support;
using Grpc.Core;
using Proto = CathLab.Station.Protocol;

namespace CathLab.Station.Tests;

/// <summary>The worklist through the control API and the console: the query reaches the station as asked, entries come
/// back whole, an exam starts from an entry's id, and malformed requests stop before the station.</summary>
public sealed class WorklistControlTests : IAsyncLifetime
{
    private ControlTestServer _server = null!;
    private ControlClient _client = null!;

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
    public async Task A_query_maps_both_ways()
    {
        var reply = await _client.Stub.QueryWorklistAsync(new Proto.QueryWorklistRequest { Date = "20261124", PatientName = "DOE*" }, _client.Headers);
        Assert.Equal(new WorklistQuery(new DateOnly(2026, 11, 24), "DOE*", null), _server.Station.QueriedWith);
        var entry = Assert.Single(reply.Entries);
        Assert.Equal(("SPS-1", "DOE^JANE", "P-1", "ACC-1", "Coronary angiography", "1.2.3.4"),
            (entry.Id, entry.PatientName, entry.PatientId, entry.AccessionNumber, entry.RequestedProcedure, entry.StudyInstanceUid));
        Assert.Equal(new DateTime(2026, 11, 24, 9, 0, 0), entry.ScheduledStart.ToDateTime().ToLocalTime());
    }

    [Theory]
    [InlineData("2026-11-24")]
    [InlineData("20261340")]
    public async Task A_bad_date_is_refused_before_the_station(string date)
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => _client.Stub.QueryWorklistAsync(new Proto.QueryWorklistRequest { Date = date }, _client.Headers).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.DoesNotContain("query-worklist", _server.Station.Calls);
    }

    [Fact]
    public async Task An_exam_from_a_worklist_item_takes_no_patient_of_its_own()
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => _client.Stub.StartExamAsync(
            new Proto.StartExamRequest { WorklistItemId = "SPS-1", PatientName = "X^Y", PatientId = "1" }, _client.Headers).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        await _client.Stub.StartExamAsync(new Proto.StartExamRequest { WorklistItemId = "SPS-1" }, _client.Headers);
        Assert.Equal("SPS-1", _server.Station.StartedWith!.WorklistItemId);
    }

    [Fact]
    public async Task The_console_lists_the_worklist_and_starts_an_exam_from_it()
    {
        var (exit, output, _) = await Console("worklist", "--date", "2026-11-24");
        Assert.Equal(0, exit);
        Assert.Contains("SPS-1", output, StringComparison.Ordinal);
        Assert.Contains("DOE^JANE (ID P-1)", output, StringComparison.Ordinal);
        (exit, _, _) = await Console("exam", "start", "--worklist", "SPS-1");
        Assert.Equal(0, exit);
        Assert.Equal("SPS-1", _server.Station.StartedWith!.WorklistItemId);
        (exit, _, var error) = await Console("exam", "start", "--worklist", "SPS-1", "--emergency");
        Assert.Equal(2, exit);
        Assert.Contains("--worklist", error, StringComparison.Ordinal);
        (exit, _, error) = await Console("worklist", "--date", "24.11.2026");
        Assert.Equal(2, exit);
    }

    private async Task<(int Exit, string Out, string Err)> Console(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        string[] all = [.. args, "--server", _server.Address.ToString(), "--token", ControlTestServer.TechnicianToken];
        int exit = await console::CathLab.Console.Commands.CommandTable.DispatchAsync(all, output, error, CancellationToken.None);
        return (exit, output.ToString(), error.ToString());
    }
}
