using System.Net.WebSockets;
using System.Text;
using CathLab.Station.Control;
using CathLab.Station.Tests.Support;

namespace CathLab.Station.Tests.Web;

/// <summary>The console WebSocket's protocol (docs/web-console.md) over a real Kestrel host and the real control
/// service, with a <see cref="FakeStation"/> behind it: sign-in by role, commands acknowledged or refused, the same
/// audit as gRPC, unreadable messages counted and answered without ending the session, and the exposure button
/// released when the socket goes.</summary>
public sealed class ConsoleWebSocketTests : IAsyncLifetime
{
    private ControlTestServer _server = null!;

    public async Task InitializeAsync() => _server = await ControlTestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_wrong_token_is_refused_and_the_socket_closed_4401()
    {
        using var client = await ConsoleSocketClient.ConnectAsync(_server.WebAddress, "not-a-token");
        var refused = await client.NextAsync("refused");
        Assert.Equal("Unauthenticated", refused!.Value.GetProperty("status").GetString());
        Assert.Null(await client.ReceiveAsync());
        Assert.Equal(4401, (int)client.Socket.CloseStatus!.Value);
        Assert.Contains(_server.Audit.Recent(), r => r.Action == "console-sign-in" && r.Outcome == "Unauthenticated" && r.Transport == "websocket");
    }

    [Fact]
    public async Task An_observer_is_told_its_role_and_gets_no_console()
    {
        using var client = await ConsoleSocketClient.ConnectAsync(_server.WebAddress, ControlTestServer.ObserverToken);
        var welcome = await client.NextAsync("welcome");
        Assert.Equal("observer", welcome!.Value.GetProperty("role").GetString());
        Assert.Null(await client.ReceiveAsync());
        Assert.Equal(WebSocketCloseStatus.NormalClosure, client.Socket.CloseStatus);
    }

    [Fact]
    public async Task A_technician_gets_the_status_and_commands_are_acknowledged_and_audited_as_websocket_calls()
    {
        using var client = await ConsoleSocketClient.ConnectAsync(_server.WebAddress, ControlTestServer.TechnicianToken);
        var welcome = await client.NextAsync("welcome");
        Assert.Equal("technician", welcome!.Value.GetProperty("role").GetString());
        Assert.Equal(PedalLease.DefaultMs, welcome.Value.GetProperty("leaseMs").GetInt32());
        var status = await client.NextAsync("status");
        Assert.Equal("Idle", status!.Value.GetProperty("status").GetProperty("exposureState").GetString());
        Assert.Equal("OUTBOX_ITEM_STATE_FAILED", status.Value.GetProperty("outbox")[0].GetProperty("state").GetString());

        await client.SendCommandAsync(7, "StartExam", new { patientName = "ROE^RICHARD", patientId = "P-9" });
        var ack = await client.NextAsync("ack");
        Assert.Equal(7, ack!.Value.GetProperty("id").GetInt64());
        Assert.Equal("ROE^RICHARD", ack.Value.GetProperty("reply").GetProperty("patientName").GetString());
        Assert.Equal("P-9", _server.Station.StartedWith!.PatientId);
        Assert.Contains(_server.Audit.Recent(), r => r.Action == "start-exam" && r.Outcome == "OK" && r.Subject == "tech-on-duty" && r.Transport == "websocket");

        // The same request checks as gRPC: a name without an ID is the caller's mistake, and the station is not asked.
        await client.SendCommandAsync(8, "StartExam", new { patientName = "ROE^RICHARD" });
        var refused = await client.NextAsync("refused");
        Assert.Equal(8, refused!.Value.GetProperty("id").GetInt64());
        Assert.Equal("InvalidArgument", refused.Value.GetProperty("status").GetString());

        _server.Station.Refuse = new StationRefusedException("an exam is open");
        await client.SendCommandAsync(9, "EndExam");
        refused = await client.NextAsync("refused");
        Assert.Equal("FailedPrecondition", refused!.Value.GetProperty("status").GetString());
        Assert.Equal("an exam is open", refused.Value.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task The_console_page_invites_lists_and_revokes_through_the_invitations_service()
    {
        using var client = await ConsoleSocketClient.ConnectAsync(_server.WebAddress, ControlTestServer.TechnicianToken);
        await client.NextAsync("welcome");
        await client.SendCommandAsync(1, "Invite", new { examId = "EX-3", invitee = "dr-rossi", role = "INVITATION_ROLE_CONSULTANT", minutes = 20 });
        var invited = (await client.NextAsync("ack"))!.Value.GetProperty("reply");
        Assert.Contains("#invite=", invited.GetProperty("link").GetString(), StringComparison.Ordinal);
        string id = invited.GetProperty("invitation").GetProperty("id").GetString()!;

        await client.SendCommandAsync(2, "ListInvitations", new { examId = "EX-3" });
        var listed = (await client.NextAsync("ack"))!.Value.GetProperty("reply").GetProperty("invitations")[0];
        Assert.Equal("INVITATION_STATE_PENDING", listed.GetProperty("state").GetString());
        Assert.Equal("INVITATION_ROLE_CONSULTANT", listed.GetProperty("role").GetString());

        await client.SendCommandAsync(3, "RevokeInvitation", new { id });
        Assert.Equal("INVITATION_STATE_REVOKED", (await client.NextAsync("ack"))!.Value.GetProperty("reply").GetProperty("state").GetString());
        await client.SendCommandAsync(4, "Invite", new { examId = "EX-3", invitee = "dr-rossi", minutes = 100000 });
        Assert.Equal("InvalidArgument", (await client.NextAsync("refused"))!.Value.GetProperty("status").GetString());
        Assert.Contains(_server.Audit.Recent(), r => r.Action == "invitation-revoke" && r.Subject == "tech-on-duty");
    }

    [Fact]
    public async Task Unreadable_and_unknown_messages_are_counted_and_answered_and_the_session_goes_on()
    {
        using var client = await ConsoleSocketClient.ConnectAsync(_server.WebAddress, ControlTestServer.TechnicianToken);
        await client.NextAsync("welcome");
        string[] bad = ["not json", "[1,2]", "{\"id\":1}", "{\"id\":2,\"command\":\"FireTheTube\"}", "{\"id\":\"x\",\"command\":\"GetStatus\"}",
            "{\"id\":3,\"command\":\"SaveLastFluoro\",\"request\":{\"secs\":5}}", new string('x', 20_000)];
        foreach (var text in bad) await client.SendAsync(text);
        await client.Socket.SendAsync(new byte[] { 1, 2, 3 }, WebSocketMessageType.Binary, true, CancellationToken.None);
        var counts = new List<int>();
        for (int i = 0; i < bad.Length + 1; i++)
        {
            var refused = await client.NextAsync("refused");
            Assert.Equal("InvalidArgument", refused!.Value.GetProperty("status").GetString());
            if (refused.Value.TryGetProperty("malformed", out var m)) counts.Add(m.GetInt32());
        }
        // Each answered; all but the request the control service itself refused (an unknown field) are counted here.
        Assert.Equal([1, 2, 3, 4, 5, 6, 7], counts);
        await client.SendCommandAsync(10, "ListProtocols");
        var ack = await client.NextAsync("ack");
        Assert.Equal(10, ack!.Value.GetProperty("id").GetInt64());
        Assert.Equal(FakeStation.DefaultProtocols.Count, ack.Value.GetProperty("reply").GetProperty("protocols").GetArrayLength());
    }

    [Fact]
    public async Task The_exposure_button_is_held_while_renewed_and_released_as_a_lost_connection_when_the_socket_goes()
    {
        await RestartWithALongLeaseAsync();
        var client = await ConsoleSocketClient.ConnectAsync(_server.WebAddress, ControlTestServer.TechnicianToken);
        await client.NextAsync("welcome");
        await client.SendCommandAsync(1, "Press", new { protocol = "fluoro-15", origin = "PEDAL_ORIGIN_CONSOLE" });
        var held = await client.NextAsync("held");
        Assert.Equal(1, held!.Value.GetProperty("id").GetInt64());
        Assert.Equal(FirmwareBridge.Exposure.InputSource.Browser, _server.Station.PressedFrom); // whatever the page said
        for (int i = 0; i < 5; i++)
        {
            await client.SendCommandAsync(2 + i, "Renew");
            await Task.Delay(PedalLease.DefaultMs / 3);
        }
        Assert.False(_server.Station.Released.Task.IsCompleted);
        client.Socket.Abort();
        client.Dispose();
        Assert.Equal(HeldPedalCall.ConnectionLost, await _server.Station.Released.Task.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task A_release_message_releases_the_button()
    {
        await RestartWithALongLeaseAsync();
        using var client = await ConsoleSocketClient.ConnectAsync(_server.WebAddress, ControlTestServer.TechnicianToken);
        await client.NextAsync("welcome");
        await client.SendCommandAsync(1, "Press");
        await client.NextAsync("held");
        await client.SendCommandAsync(2, "Release");
        var released = await client.NextAsync("released");
        Assert.Equal(HeldPedalCall.Released, released!.Value.GetProperty("reply").GetProperty("reason").GetString());
        // The page may press again the moment it reads "released", before the call behind that answer has returned:
        // the next press is held, never refused as "already held".
        for (int i = 0; i < 10; i++)
        {
            await client.SendCommandAsync(3 + 2 * i, "Press");
            var answer = await client.NextOfAsync("held", "refused");
            Assert.True(answer!.Value.GetProperty("type").GetString() == "held", answer.Value.GetRawText());
            await client.SendCommandAsync(4 + 2 * i, "Release");
            await client.NextAsync("released");
        }
    }

    /// <summary>A lease far longer than the test's steps: on a loaded machine the default 300 ms can run out between
    /// two of them, and these tests are about the socket and the release message, not the lease.</summary>
    private async Task RestartWithALongLeaseAsync()
    {
        await _server.DisposeAsync();
        _server = await ControlTestServer.StartAsync(pedalLease: TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task The_page_is_served_at_the_root()
    {
        using var http = new HttpClient { BaseAddress = _server.WebAddress };
        var page = await http.GetAsync("/");
        // Built by scripts/setup.sh (npm run build in capture/web) before the station: the page, or the 503 that says how.
        string body = Encoding.UTF8.GetString(await page.Content.ReadAsByteArrayAsync());
        Assert.True(page.IsSuccessStatusCode, body);
        Assert.Contains("<script src=\"app.js\"></script>", body);
        Assert.True((await http.GetAsync("/app.js")).IsSuccessStatusCode);
    }
}
