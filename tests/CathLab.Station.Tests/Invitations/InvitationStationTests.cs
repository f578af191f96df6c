using System.Diagnostics;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using CathLab.Contracts.Client;
using CathLab.Security.Access;
using CathLab.Security.Access.Oidc;
using CathLab.Station.Configuration;
using CathLab.Station.Tests.Support;
using CathLab.Testing;
using Grpc.Core;
using Xunit.Abstractions;
using Feed = CathLab.LiveFeed.Protocol;
using Proto = CathLab.Station.Protocol;

namespace CathLab.Station.Tests.Invitations;

/// <summary>An invitation end to end over a real host: the technician invites an e-mail address over gRPC, the station
/// mails the link to a real SMTP receiver (aiosmtpd), the invitee signs in at the real provider (oidc-provider) and
/// redeems the code from the mail; the grant watches its exam only; revoking it closes the invitee's open WebSocket
/// (4401) and gRPC stream (UNAUTHENTICATED) with "invitation revoked".</summary>
public sealed partial class InvitationStationTests(ITestOutputHelper output)
{
    private const string Audience = "urn:cathlab:invitation-test";
    private const string Exam = "EX-7";

    [Fact]
    public async Task An_invitation_mailed_redeemed_and_revoked_mid_watch_closes_the_invitee_s_streams()
    {
        int smtpPort = FreePort.Next();
        using var smtp = new PeerProcess("/usr/bin/python3", ["-u", "-m", "aiosmtpd", "-n", "-l", $"127.0.0.1:{smtpPort}"]);
        using var provider = await OidcTestProvider.StartAsync(Audience, ["http://127.0.0.1:9/"]);
        await UntilListeningAsync(smtpPort, smtp);
        await using var server = await ControlTestServer.StartAsync(invitations: (SettingsOf(provider), new MailOptions { Host = "127.0.0.1", Port = smtpPort, From = "cathlab@hospital.test" }));
        using var technician = new ControlClient(server.Address, ControlTestServer.TechnicianToken);
        using var channel = LiveFeedObserver.CreateChannel(server.Address);
        var desk = new Proto.Invitations.InvitationsClient(channel);

        var invited = await desk.InviteAsync(new Proto.InviteRequest { ExamId = Exam, Invitee = "nobody-nina@hospital.test", Minutes = 30 }, technician.Headers);
        Assert.True(invited.Mailed, invited.MailProblem);
        string code = await CodeFromMailAsync(smtp);
        Assert.Equal(invited.Link, invited.Link[..invited.Link.IndexOf('#', StringComparison.Ordinal)] + "#invite=" + code);

        using var http = new HttpClient { BaseAddress = server.WebAddress };
        var wrongPerson = await RedeemAsync(http, code, await provider.SignInAsync("dr-bruno"));
        Assert.Equal(403, (int)wrongPerson.StatusCode);
        var redeemed = await RedeemAsync(http, code, await provider.SignInAsync("nobody-nina"));
        Assert.Equal(200, (int)redeemed.StatusCode);
        string grant = (await redeemed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("grant").GetString()!;
        Assert.Equal(403, (int)(await RedeemAsync(http, code, ControlTestServer.ObserverToken)).StatusCode);

        var listed = (await desk.ListInvitationsAsync(new Proto.ListInvitationsRequest(), technician.Headers)).Invitations.Single();
        Assert.Equal(Proto.InvitationState.Accepted, listed.State);
        Assert.Equal("nobody-nina", listed.AcceptedBy);

        var invitee = new Metadata { { "authorization", "Bearer " + grant } };
        var feed = new Feed.LiveFeed.LiveFeedClient(channel);
        var otherExam = feed.WatchEvents(new Feed.WatchEventsRequest { ExamId = "EX-8" }, invitee);
        Assert.Equal(StatusCode.PermissionDenied, (await Assert.ThrowsAsync<RpcException>(() => otherExam.ResponseStream.MoveNext(CancellationToken.None))).StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, (await Assert.ThrowsAsync<RpcException>(() =>
            desk.ListInvitationsAsync(new Proto.ListInvitationsRequest(), invitee).ResponseAsync)).StatusCode);

        using var events = feed.WatchEvents(new Feed.WatchEventsRequest { ExamId = Exam }, invitee);
        var eventsEnd = Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await events.ResponseStream.MoveNext(CancellationToken.None)) { }
        });
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{server.WebAddress.Port}/live/ws"), CancellationToken.None);
        await socket.SendAsync(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { token = grant, examId = Exam })), WebSocketMessageType.Text, true, CancellationToken.None);
        var socketEnd = UntilClosedAsync(socket);
        await UntilAuditedAsync(server, "events-start", "watch-start");

        var revoking = Stopwatch.StartNew();
        var revoked = await desk.RevokeInvitationAsync(new Proto.RevokeInvitationRequest { Id = invited.Invitation.Id }, technician.Headers);
        var grpcEnd = await eventsEnd.WaitAsync(TimeSpan.FromSeconds(20));
        var grpcClosedAfter = revoking.Elapsed;
        await socketEnd.WaitAsync(TimeSpan.FromSeconds(20));
        output.WriteLine($"after the revoke: gRPC stream ended in {grpcClosedAfter.TotalMilliseconds:0} ms, WebSocket closed in {revoking.Elapsed.TotalMilliseconds:0} ms");

        Assert.Equal(Proto.InvitationState.Revoked, revoked.State);
        Assert.Equal(StatusCode.Unauthenticated, grpcEnd.StatusCode);
        Assert.Equal("invitation revoked", grpcEnd.Status.Detail);
        Assert.Equal((WebSocketCloseStatus)4401, socket.CloseStatus);
        Assert.Equal("invitation revoked", socket.CloseStatusDescription);
        var again = feed.WatchEvents(new Feed.WatchEventsRequest { ExamId = Exam }, invitee);
        Assert.Equal(StatusCode.Unauthenticated, (await Assert.ThrowsAsync<RpcException>(() => again.ResponseStream.MoveNext(CancellationToken.None))).StatusCode);
        Assert.Contains(server.Audit.Recent(), r => r.Action == "invitation-revoke" && r.Subject == "tech-on-duty");
        Assert.Contains(server.Audit.Recent(), r => r.Action == "session-end" && r.Subject == "nobody-nina");
    }

    private static OidcSettings SettingsOf(OidcTestProvider provider) => new()
    {
        Issuer = provider.Issuer,
        Audience = Audience,
        RoleClaim = OidcTestProvider.RoleClaim,
        ExamsClaim = OidcTestProvider.ExamsClaim,
        Roles = new Dictionary<string, StationRole> { ["technician"] = StationRole.Technician, ["physician"] = StationRole.Observer },
    };

    private static Task<HttpResponseMessage> RedeemAsync(HttpClient http, string code, string token) =>
        http.PostAsync("/auth/redeem", new StringContent(JsonSerializer.Serialize(new { code, token }), Encoding.UTF8, "application/json"));

    private static async Task UntilListeningAsync(int port, PeerProcess smtp)
    {
        for (int i = 0; i < 200; i++)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", port);
                return;
            }
            catch (SocketException) when (!smtp.HasExited)
            {
                await Task.Delay(50);
            }
        }
        throw new InvalidOperationException($"aiosmtpd did not listen: {smtp.Output}");
    }

    /// <summary>The code from the link in the message aiosmtpd printed (quoted-printable soft breaks joined).</summary>
    private static async Task<string> CodeFromMailAsync(PeerProcess smtp)
    {
        for (int i = 0; i < 400; i++)
        {
            string text = smtp.Output.Replace("=\r\n", "").Replace("=\n", "");
            if (text.Contains("END MESSAGE", StringComparison.Ordinal) && InviteCode().Match(text) is { Success: true } m) return m.Groups[1].Value;
            await Task.Delay(50);
        }
        throw new InvalidOperationException($"no invitation mail arrived: {smtp.Output}");
    }

    private static async Task UntilClosedAsync(ClientWebSocket socket)
    {
        var buffer = new byte[1 << 16];
        while (socket.State == WebSocketState.Open)
        {
            var result = await socket.ReceiveAsync(buffer, CancellationToken.None);
            if (result.MessageType == WebSocketMessageType.Close) return;
        }
    }

    private static async Task UntilAuditedAsync(ControlTestServer server, params string[] actions)
    {
        for (int i = 0; i < 400 && !actions.All(a => server.Audit.Recent().Any(r => r.Action == a && r.Subject == "nobody-nina")); i++) await Task.Delay(25);
    }

    [GeneratedRegex("#invite=([A-Za-z0-9_-]+)")]
    private static partial Regex InviteCode();
}
