using CathLab.LiveFeed.Protocol;
using CathLab.LiveFeed.Tests.Support;
using Grpc.Core;
using Grpc.Net.Client;
using LiveFeedClient = CathLab.LiveFeed.Protocol.LiveFeed.LiveFeedClient;

namespace CathLab.LiveFeed.Tests;

/// <summary>Every refused call gets the right gRPC status, and the refusal is in the audit trail.</summary>
public sealed class RejectionTests : IAsyncLifetime
{
    private LiveFeedTestServer _server = null!;
    private GrpcChannel _channel = null!;

    public async Task InitializeAsync()
    {
        _server = await LiveFeedTestServer.StartAsync();
        _channel = GrpcChannel.ForAddress(_server.Address);
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await _server.DisposeAsync();
    }

    private static Metadata Bearer(string token) => [new Metadata.Entry("authorization", "Bearer " + token)];

    private static async Task<RpcException> WatchFails(LiveFeedClient client, Metadata? headers, ObserverMessage? first)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var call = client.Watch(headers, cancellationToken: timeout.Token);
        return await Assert.ThrowsAsync<RpcException>(async () =>
        {
            if (first is not null) await call.RequestStream.WriteAsync(first);
            await call.RequestStream.CompleteAsync();
            while (await call.ResponseStream.MoveNext(timeout.Token))
            {
            }
        });
    }

    private static ObserverMessage Watch(string exam, Tier tier = Tier.Diagnostic, float maxFps = 0) =>
        new() { Watch = new WatchRequest { ExamId = exam, BestTier = tier, MaxFps = maxFps } };

    private void AssertAudited(string outcome, string subject)
    {
        Assert.Contains(_server.Audit.Recent(), r => r.Outcome == outcome && r.Subject == subject);
    }

    [Fact]
    public async Task NoTokenIsUnauthenticated()
    {
        var e = await WatchFails(new LiveFeedClient(_channel), null, Watch(LiveFeedTestServer.Exam));
        Assert.Equal(StatusCode.Unauthenticated, e.StatusCode);
        AssertAudited("Unauthenticated", "anonymous");
    }

    [Fact]
    public async Task NonBearerAuthorizationIsUnauthenticated()
    {
        var e = await WatchFails(new LiveFeedClient(_channel), [new Metadata.Entry("authorization", "Basic dXNlcjpwdw==")], Watch(LiveFeedTestServer.Exam));
        Assert.Equal(StatusCode.Unauthenticated, e.StatusCode);
        AssertAudited("Unauthenticated", "anonymous");
    }

    [Fact]
    public async Task WrongTokenIsUnauthenticated()
    {
        var e = await WatchFails(new LiveFeedClient(_channel), Bearer("observer-token-7f3b"), Watch(LiveFeedTestServer.Exam));
        Assert.Equal(StatusCode.Unauthenticated, e.StatusCode);
        AssertAudited("Unauthenticated", "unknown-token");
    }

    [Fact]
    public async Task ObserverCallingControlIsPermissionDenied()
    {
        var control = new LiveFeedControl.LiveFeedControlClient(_channel);
        var e = await Assert.ThrowsAsync<RpcException>(async () => await control.DisconnectObserverAsync(new DisconnectObserverRequest { SessionId = "x" }, Bearer(LiveFeedTestServer.ObserverToken)));
        Assert.Equal(StatusCode.PermissionDenied, e.StatusCode);
        AssertAudited("PermissionDenied", "dr-referrer");
    }

    [Fact]
    public async Task TechnicianMayCallControl()
    {
        var control = new LiveFeedControl.LiveFeedControlClient(_channel);
        var reply = await control.ListObserversAsync(new ListObserversRequest(), Bearer(LiveFeedTestServer.TechnicianToken));
        Assert.Empty(reply.Observers);
        var e = await Assert.ThrowsAsync<RpcException>(async () => await control.DisconnectObserverAsync(new DisconnectObserverRequest(), Bearer(LiveFeedTestServer.TechnicianToken)));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        AssertAudited("InvalidArgument", "tech-on-duty");
    }

    [Fact]
    public async Task ObserverOfAnotherExamIsPermissionDenied()
    {
        var e = await WatchFails(new LiveFeedClient(_channel), Bearer(LiveFeedTestServer.OtherExamToken), Watch(LiveFeedTestServer.Exam));
        Assert.Equal(StatusCode.PermissionDenied, e.StatusCode);
        AssertAudited("PermissionDenied", "student");
    }

    public static TheoryData<string, ObserverMessage?> MalformedFirstMessages => new()
    {
        { "ended before a WatchRequest", null },
        { "first message is an ack", new ObserverMessage { Ack = new Ack { FrameNumber = 1 } } },
        { "empty exam", Watch("") },
        { "negative rate cap", Watch(LiveFeedTestServer.Exam, maxFps: -1) },
        { "NaN rate cap", Watch(LiveFeedTestServer.Exam, maxFps: float.NaN) },
        { "unknown tier", Watch(LiveFeedTestServer.Exam, tier: (Tier)42) },
        { "exam id too long", Watch(new string('x', 200)) },
    };

    [Theory]
    [MemberData(nameof(MalformedFirstMessages))]
    public async Task MalformedWatchIsInvalidArgument(string why, ObserverMessage? first)
    {
        var e = await WatchFails(new LiveFeedClient(_channel), Bearer(LiveFeedTestServer.ObserverToken), first);
        Assert.True(e.StatusCode == StatusCode.InvalidArgument, $"{why}: got {e.StatusCode}");
        AssertAudited("InvalidArgument", "dr-referrer");
    }

    [Fact]
    public async Task MalformedFetchIsInvalidArgumentAndEvictedFrameIsNotFound()
    {
        var client = new LiveFeedClient(_channel);
        var bad = await Assert.ThrowsAsync<RpcException>(async () => await client.FetchFrameAsync(new FetchFrameRequest { ExamId = "" }, Bearer(LiveFeedTestServer.ObserverToken)));
        Assert.Equal(StatusCode.InvalidArgument, bad.StatusCode);
        var missing = await Assert.ThrowsAsync<RpcException>(async () => await client.FetchFrameAsync(new FetchFrameRequest { ExamId = LiveFeedTestServer.Exam, FrameNumber = 999_999 }, Bearer(LiveFeedTestServer.ObserverToken)));
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
        AssertAudited("NotFound", "dr-referrer");
    }

    [Fact]
    public async Task AStrayMessageAfterTheWatchRequestEndsTheCallAsInvalidArgument()
    {
        var client = new LiveFeedClient(_channel);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var call = client.Watch(Bearer(LiveFeedTestServer.ObserverToken), cancellationToken: timeout.Token);
        await call.RequestStream.WriteAsync(Watch(LiveFeedTestServer.Exam));
        await call.RequestStream.WriteAsync(Watch(LiveFeedTestServer.Exam));
        var e = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await call.ResponseStream.MoveNext(timeout.Token))
            {
            }
        });
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains(_server.Audit.Recent(), r => r.Action == "watch-end" && r.Outcome == "InvalidArgument");
    }
}
