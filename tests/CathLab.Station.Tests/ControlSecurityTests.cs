using CathLab.Station.Tests.Support;
using Grpc.Core;
using Proto = CathLab.Station.Protocol;

namespace CathLab.Station.Tests;

/// <summary>The live feed's interceptor guards the control service too: only technicians get through, and a refused
/// caller never reaches the station.</summary>
public sealed class ControlSecurityTests : IAsyncLifetime
{
    private ControlTestServer _server = null!;

    public async Task InitializeAsync() => _server = await ControlTestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public static TheoryData<string?, StatusCode> Callers => new()
    {
        { ControlTestServer.ObserverToken, StatusCode.PermissionDenied },
        { null, StatusCode.Unauthenticated },
        { "not-a-known-token", StatusCode.Unauthenticated },
    };

    [Theory]
    [MemberData(nameof(Callers))]
    public async Task OnlyATechnicianGetsThrough(string? token, StatusCode expected)
    {
        using var client = new ControlClient(_server.Address, token);
        var stub = client.Stub;
        var headers = client.Headers;
        Task[] calls =
        [
            stub.GetStatusAsync(new Proto.GetStatusRequest(), headers).ResponseAsync,
            stub.ListProtocolsAsync(new Proto.ListProtocolsRequest(), headers).ResponseAsync,
            stub.StartExamAsync(new Proto.StartExamRequest(), headers).ResponseAsync,
            PressAsync(stub, headers),
            stub.ResetFaultAsync(new Proto.ResetFaultRequest(), headers).ResponseAsync,
            stub.ListOutboxAsync(new Proto.ListOutboxRequest(), headers).ResponseAsync,
            stub.RetryOutboxItemAsync(new Proto.RetryOutboxItemRequest { Id = 1 }, headers).ResponseAsync,
        ];
        foreach (var call in calls)
        {
            var e = await Assert.ThrowsAsync<RpcException>(() => call);
            Assert.Equal(expected, e.StatusCode);
        }
        using var watch = stub.WatchStatus(new Proto.WatchStatusRequest(), headers);
        var streamed = await Assert.ThrowsAsync<RpcException>(() => watch.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(expected, streamed.StatusCode);
        Assert.Empty(_server.Station.Calls);
    }

    [Fact]
    public async Task AnObserverIsToldWhichRoleIsNeededAndAudited()
    {
        using var client = new ControlClient(_server.Address, ControlTestServer.ObserverToken);
        var e = await Assert.ThrowsAsync<RpcException>(() => PressAsync(client.Stub, client.Headers));
        Assert.Equal(StatusCode.PermissionDenied, e.StatusCode);
        Assert.Contains("Technician", e.Status.Detail);
        Assert.Contains(_server.Audit.Recent(), r => r.Subject == "dr-referrer" && r.Action == "/cathlab.control.v1.StationControl/HoldPedal" && r.Outcome == "PermissionDenied");
    }

    private static async Task PressAsync(Proto.StationControl.StationControlClient stub, Metadata headers)
    {
        using var hold = stub.HoldPedal(headers);
        await hold.RequestStream.WriteAsync(new Proto.PedalHoldRequest { Press = new Proto.PedalPress() });
        await hold.ResponseStream.MoveNext(CancellationToken.None);
    }

    [Fact]
    public async Task ATechnicianGetsThrough()
    {
        using var client = new ControlClient(_server.Address, ControlTestServer.TechnicianToken);
        var status = await client.Stub.GetStatusAsync(new Proto.GetStatusRequest(), client.Headers);
        Assert.Equal("Idle", status.ExposureState);
    }
}
