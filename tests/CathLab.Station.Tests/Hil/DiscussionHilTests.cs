using System.Net.WebSockets;
using System.Text.Json;
using CathLab.Security.Access;
using CathLab.Station.Control;
using CathLab.Station.Tests.Web;
using CathLab.Testing;
using Xunit.Abstractions;

namespace CathLab.Station.Tests.Hil;

/// <summary>The case discussion (docs/discussion.md) against the whole station on simulated hardware, spoken by
/// non-browser clients written from the protocol: floor, shared playback, pointers coalesced, annotations by author,
/// chat, refusals, late join, reconnect and a station restart.</summary>
[Collection(HilCollection.Name)]
public sealed class DiscussionHilTests(ITestOutputHelper output)
{
    private const string TechToken = "technician-token-for-the-discussion-test";
    private const string RemoteToken = "observer-token-for-the-discussion-test";

    private static readonly string[] Tokens =
    [
        "--Station:Tokens:0:Holder=tech-on-duty", "--Station:Tokens:0:Role=technician", $"--Station:Tokens:0:Sha256={TokenStore.Sha256Hex(TechToken)}",
        "--Station:Tokens:1:Holder=dr-remote", "--Station:Tokens:1:Role=observer", $"--Station:Tokens:1:Sha256={TokenStore.Sha256Hex(RemoteToken)}",
    ];

    [Fact]
    public async Task Two_participants_discuss_a_recorded_run_in_step_and_the_discussion_survives_reconnect_and_restart()
    {
        using var sim = await SimulatorProcess.StartAsync("--mode", "512");
        await using var station = await StationUnderTest.StartAsync(sim, Tokens);
        var exam = await station.Control.StartExamAsync(new ExamRequest("DOE^JANE", "HIL-DISC"), CancellationToken.None);
        var cine = await station.ExposeAsync("cardiac-cine-15", TimeSpan.FromSeconds(1));
        Assert.True(cine.Frames >= 3, $"the cine has {cine.Frames} frames");
        string runId = $"{exam.ExamId}/run-{cine.Number}";

        using var tech = await DiscussionSocketClient.JoinAsync(station.WebPort, TechToken, exam.ExamId, "Tech at the table");
        var remote = await DiscussionSocketClient.JoinAsync(station.WebPort, RemoteToken, exam.ExamId, "Dr Remote");
        Assert.Equal(tech.Id, remote.State.GetProperty("floor").GetProperty("driver").GetString()); // the first one drives
        Assert.NotEqual(tech.State.GetProperty("you").GetProperty("colour").GetString(), remote.State.GetProperty("you").GetProperty("colour").GetString());
        string remoteId = remote.Id;

        // The floor: refused without it, asked for, granted.
        await remote.SendAsync(new { type = "select", runId });
        Assert.Contains("needs the floor", Reason(await remote.NextAsync("refused")));
        await remote.SendAsync(new { type = "floor.request" });
        await tech.NextAsync("floor", f => f.GetProperty("change").GetString() == "requested");
        await tech.SendAsync(new { type = "floor.grant", to = remoteId });
        foreach (var c in new[] { tech, remote }) Assert.NotNull(await c.NextAsync("floor", f => Driver(f) == remoteId));

        // Shared playback: both receive the same numbers and so compute the same frame.
        await remote.SendAsync(new { type = "select", runId, frame = 1 });
        await remote.SendAsync(new { type = "play", rate = 10 });
        await remote.SendAsync(new { type = "seek", frame = 3 });
        await remote.SendAsync(new { type = "pause" });
        var seen = new List<string>[] { [], [] };
        for (int i = 0; i < 2; i++)
        {
            var c = i == 0 ? tech : remote;
            for (int n = 0; n < 4; n++) seen[i].Add((await c.NextAsync("playback"))!.Value.GetProperty("playback").ToString());
        }
        Assert.Equal(seen[0], seen[1]);
        var paused = JsonDocument.Parse(seen[0][3]).RootElement;
        Assert.False(paused.GetProperty("playing").GetBoolean());
        Assert.InRange(paused.GetProperty("startFrame").GetInt32(), 1, cine.Frames);
        Assert.Equal(cine.Frames, paused.GetProperty("frames").GetInt32());
        await remote.SendAsync(new { type = "seek", frame = cine.Frames + 1 });
        Assert.Contains($"no frame {cine.Frames + 1}", Reason(await remote.NextAsync("refused")));

        // A pointer flood is coalesced: the last position arrives, far fewer messages than were sent.
        const int Flood = 300;
        for (int i = 0; i < Flood; i++) await remote.SendAsync(new { type = "pointer", x = i, y = 10 });
        await remote.SendAsync(new { type = "chat", text = "flood done" });
        bool chatSeen = false, lastSeen = false;
        while (!(chatSeen && lastSeen))
        {
            var m = (await tech.ReceiveAsync())!.Value;
            string type = m.GetProperty("type").GetString()!;
            chatSeen |= type == "chat";
            lastSeen |= type == "pointer" && m.GetProperty("x").GetDouble() == Flood - 1 && m.GetProperty("from").GetString() == remoteId;
        }
        output.WriteLine($"pointers: {Flood} sent, {tech.PointersReceived} received");
        Assert.InRange(tech.PointersReceived, 1, Flood / 2);

        // Annotations: added, edited and deleted by their author; the other's edit refused.
        await remote.SendAsync(new { type = "annotate", kind = "arrow", runId, frame = 2, points = new[] { new[] { 100.0, 100 }, [140, 120] } });
        string id = (await tech.NextAsync("annotation"))!.Value.GetProperty("annotation").GetProperty("id").GetString()!;
        await tech.SendAsync(new { type = "annotation.edit", id, points = new[] { new[] { 0.0, 0 }, [1, 1] } });
        Assert.Contains("only its author", Reason(await tech.NextAsync("refused")));
        await remote.SendAsync(new { type = "annotation.edit", id, points = new[] { new[] { 100.0, 100 }, [180, 130] } });
        var edited = (await tech.NextAsync("annotation"))!.Value;
        Assert.Equal(("edited", 180.0), (edited.GetProperty("op").GetString(), edited.GetProperty("annotation").GetProperty("points")[1][0].GetDouble()));
        await remote.SendAsync(new { type = "annotation.delete", id });
        Assert.Equal("deleted", (await tech.NextAsync("annotation"))!.Value.GetProperty("op").GetString());
        await remote.SendAsync(new { type = "annotate", kind = "distance", runId, frame = 2, points = new[] { new[] { 10.0, 10 }, [210, 10] } });
        await tech.NextAsync("annotation");

        // Bad input: each refused to the sender, the session goes on.
        await remote.SendTextAsync("not json");
        await remote.SendTextAsync("{\"type\":\"warp\"}");
        await remote.SendAsync(new { type = "chat", text = new string('x', 1001) });
        await remote.SendTextAsync(new string('x', 20_000));
        for (int i = 0; i < 4; i++) Assert.NotNull(await remote.NextAsync("refused"));
        await tech.SendAsync(new { type = "chat", text = "LAD looks tight" });
        Assert.Equal("LAD looks tight", (await remote.NextAsync("chat"))!.Value.GetProperty("chat").GetProperty("text").GetString());

        // A late joiner gets the history.
        using (var fellow = await DiscussionSocketClient.JoinAsync(station.WebPort, RemoteToken, exam.ExamId, "Dr Fellow"))
        {
            Assert.Equal(["flood done", "LAD looks tight"], Texts(fellow.State));
            Assert.Single(fellow.State.GetProperty("annotations").EnumerateArray());
            Assert.Equal(seen[0][3], fellow.State.GetProperty("playback").ToString());
        }

        // The remote one drops; the technician takes the floor and moves on; the remote one comes back in step.
        remote.Socket.Abort();
        remote.Dispose();
        await tech.NextAsync("left", l => l.GetProperty("id").GetString() == remoteId);
        await tech.SendAsync(new { type = "floor.take" });
        await tech.NextAsync("floor", f => Driver(f) == tech.Id);
        await tech.SendAsync(new { type = "seek", frame = 2 });
        string afterSeek = (await tech.NextAsync("playback"))!.Value.GetProperty("playback").ToString();
        using var back = await DiscussionSocketClient.JoinAsync(station.WebPort, RemoteToken, exam.ExamId, "Dr Remote");
        Assert.Equal(remoteId, back.Id);
        Assert.Equal(afterSeek, back.State.GetProperty("playback").ToString());
        Assert.Equal(tech.Id, Driver(back.State));

        foreach (var (type, bytes) in tech.MaxBytes.Concat(back.MaxBytes)) output.WriteLine($"{type}: at most {bytes} bytes");
        Assert.All(tech.MaxBytes.Where(kv => kv.Key != "state"), kv => Assert.InRange(kv.Value, 1, 1024));

        // A restart closes every socket with 1001 and loses nothing but the pointers.
        var restart = station.RestartAsync();
        while (await tech.ReceiveAsync() is not null) { }
        while (await back.ReceiveAsync() is not null) { }
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, tech.Socket.CloseStatus);
        await restart;
        using var again = await DiscussionSocketClient.JoinAsync(station.WebPort, RemoteToken, exam.ExamId, "Dr Remote");
        Assert.Equal(remoteId, again.Id);
        Assert.Equal(tech.Id, Driver(again.State));
        Assert.Equal(["flood done", "LAD looks tight"], Texts(again.State));
        Assert.Equal("distance", again.State.GetProperty("annotations")[0].GetProperty("kind").GetString());
        Assert.Equal(afterSeek, again.State.GetProperty("playback").ToString());

        string audit = await File.ReadAllTextAsync(Path.Combine(station.Folder, "audit.jsonl"));
        foreach (var action in new[] { "discussion-join", "discussion-leave", "discussion-floor", "discussion-annotate", "discussion-annotation-edited",
            "discussion-annotation-deleted", "discussion-chat" })
        {
            Assert.Contains($"\"{action}\"", audit);
        }
    }

    [Fact]
    public async Task A_wrong_token_is_refused_with_4401_and_an_exam_not_granted_with_4403()
    {
        using var sim = await SimulatorProcess.StartAsync("--mode", "512");
        await using var station = await StationUnderTest.StartAsync(sim, [.. Tokens,
            "--Station:Tokens:2:Holder=dr-other", "--Station:Tokens:2:Role=observer", $"--Station:Tokens:2:Sha256={TokenStore.Sha256Hex("other-token")}",
            "--Station:Tokens:2:Exams:0=EXAM-ELSEWHERE"]);
        using var wrong = await DiscussionSocketClient.JoinAsync(station.WebPort, "not-a-token", "EXAM-1");
        Assert.Equal("refused", wrong.State.GetProperty("type").GetString());
        Assert.Null(await wrong.ReceiveAsync());
        Assert.Equal(4401, (int)wrong.Socket.CloseStatus!.Value);
        using var other = await DiscussionSocketClient.JoinAsync(station.WebPort, "other-token", "EXAM-1");
        Assert.Null(await other.ReceiveAsync());
        Assert.Equal(4403, (int)other.Socket.CloseStatus!.Value);
    }

    private static string Reason(JsonElement? refused) => refused!.Value.GetProperty("reason").GetString()!;

    private static string? Driver(JsonElement withFloor) => withFloor.GetProperty("floor").GetProperty("driver").GetString();

    private static List<string> Texts(JsonElement state) =>
        [.. state.GetProperty("chat").EnumerateArray().Select(c => c.GetProperty("text").GetString()!)];
}
