using System.Text;
using System.Text.Json;

namespace CathLab.Discussion.Tests;

/// <summary>The coordinator's rules (docs/discussion.md): floor, shared playback, annotations by author, chat, refusals
/// to the sender only, and the journal that survives a restart.</summary>
public sealed class DiscussionCoordinatorTests(Xunit.Abstractions.ITestOutputHelper output) : IDisposable
{
    private readonly DiscussionRig _rig = new();

    public void Dispose() => _rig.Dispose();

    [Fact]
    public void The_first_participant_gets_the_floor_and_each_a_distinct_colour()
    {
        var tech = _rig.Join(DiscussionRig.Technician);
        var remote = _rig.Join(DiscussionRig.Remote, "Dr Remote");
        var state = remote.Kept().Last("state");
        // The whole state is each connection's first message, the first one's floor included.
        Assert.All(new[] { tech, remote }, m => Assert.Contains("\"type\":\"state\"", m.Kept().Messages[0]));
        Assert.Equal(tech.Participant.Id, state.GetProperty("floor").GetProperty("driver").GetString());
        Assert.Equal(remote.Participant.Id, state.GetProperty("you").GetProperty("id").GetString());
        Assert.Equal("Dr Remote", remote.Participant.Name);
        Assert.NotEqual(tech.Participant.Colour, remote.Participant.Colour);
        Assert.Equal(2, state.GetProperty("participants").GetArrayLength());
        Assert.Contains(_rig.Audit.Records, r => r.Action == "discussion-join" && r.Subject == "dr-remote" && r.ExamId == DiscussionRig.Exam);
    }

    [Fact]
    public void Playback_needs_the_floor_and_a_request_is_granted_by_the_driver()
    {
        var tech = _rig.Join(DiscussionRig.Technician);
        var remote = _rig.Join(DiscussionRig.Remote);
        _rig.Send(remote, new { type = "select", runId = "EXAM-1/run-1" });
        Assert.Contains("needs the floor", remote.Kept().Last("refused").GetProperty("reason").GetString());
        Assert.Empty(tech.Kept().Of("refused"));
        Assert.Empty(tech.Kept().Of("playback"));

        _rig.Send(remote, new { type = "floor.request" });
        Assert.Equal("requested", tech.Kept().Last("floor").GetProperty("change").GetString());
        _rig.Send(tech, new { type = "floor.grant", to = remote.Participant.Id });
        Assert.Equal(remote.Participant.Id, remote.Kept().Last("floor").GetProperty("floor").GetProperty("driver").GetString());
        _rig.Send(remote, new { type = "select", runId = "EXAM-1/run-1", frame = 3 });
        Assert.Equal(3, tech.Kept().Last("playback").GetProperty("playback").GetProperty("startFrame").GetInt32());

        _rig.Send(tech, new { type = "floor.take" });
        Assert.Equal("taken", remote.Kept().Last("floor").GetProperty("change").GetString());
        _rig.Send(remote, new { type = "floor.take" });
        Assert.Contains("technician", remote.Kept().Last("refused").GetProperty("reason").GetString());
    }

    [Fact]
    public void Every_participant_computes_the_same_frame_from_the_shared_clock_and_it_loops_over_the_run()
    {
        var tech = _rig.Join(DiscussionRig.Technician);
        var remote = _rig.Join(DiscussionRig.Remote);
        _rig.Send(tech, new { type = "select", runId = "EXAM-1/run-2", frame = 10 });
        _rig.Send(tech, new { type = "play", rate = 10 });
        var playback = DiscussionJson.Read<SharedPlayback>(remote.Kept().Last("playback").GetProperty("playback"));
        Assert.Equal(10, playback.FrameAt(playback.T0));
        Assert.Equal(12, playback.FrameAt(playback.T0 + 250)); // two frames at 10 fps
        Assert.Equal(1, playback.FrameAt(playback.T0 + 300));  // past frame 12 of 12: back to 1
        _rig.Clock.Advance(TimeSpan.FromMilliseconds(450)); // 4 frames on: 10, 11, 12, 1, 2
        _rig.Send(tech, new { type = "pause" });
        var paused = DiscussionJson.Read<SharedPlayback>(remote.Kept().Last("playback").GetProperty("playback"));
        Assert.Equal((false, 2), (paused.Playing, paused.FrameAt(paused.T0 + 10_000)));
        _rig.Send(tech, new { type = "step", by = -5 });
        Assert.Equal(1, remote.Kept().Last("playback").GetProperty("playback").GetProperty("startFrame").GetInt32()); // clamped
        _rig.Send(tech, new { type = "seek", frame = 13 });
        Assert.Contains("no frame 13", tech.Kept().Last("refused").GetProperty("reason").GetString());
        _rig.Send(tech, new { type = "select", runId = "EXAM-1/run-9" });
        Assert.Contains("no run", tech.Kept().Last("refused").GetProperty("reason").GetString());
    }

    /// <summary>The clients show a distance in mm while it is drawn from the calibration the selected run's playback carries;
    /// a run without pixel spacing carries none (lengths in pixels), and a late joiner gets it with the state.</summary>
    [Fact]
    public void A_selected_run_carries_its_calibration_to_everyone_and_to_a_late_joiner()
    {
        var tech = _rig.Join(DiscussionRig.Technician);
        _rig.Send(tech, new { type = "select", runId = "EXAM-1/run-1", frame = 2 });
        var calibration = tech.Kept().Last("playback").GetProperty("playback").GetProperty("calibration");
        Assert.Equal(new RunCalibration(0.2, 0.2, 1.25), DiscussionJson.Read<RunCalibration>(calibration));
        _rig.Send(tech, new { type = "play", rate = 10 });
        Assert.True(tech.Kept().Last("playback").GetProperty("playback").TryGetProperty("calibration", out _), "play kept the run's calibration");
        var late = _rig.Join(DiscussionRig.Remote);
        Assert.Equal(1.25, late.Kept().Last("state").GetProperty("playback").GetProperty("calibration").GetProperty("magnification").GetDouble());

        _rig.Send(tech, new { type = "select", runId = "EXAM-1/run-2" });
        Assert.False(late.Kept().Last("playback").GetProperty("playback").TryGetProperty("calibration", out _), "a run without spacing carries no calibration");
    }

    [Fact]
    public void Annotations_are_changed_by_their_author_only_and_frames_must_exist()
    {
        var tech = _rig.Join(DiscussionRig.Technician);
        var remote = _rig.Join(DiscussionRig.Remote);
        _rig.Send(remote, new { type = "annotate", kind = "distance", runId = "EXAM-1/run-1", frame = 7, points = new[] { new[] { 10.0, 20 }, [110, 20] } });
        var added = tech.Kept().Last("annotation").GetProperty("annotation");
        string id = added.GetProperty("id").GetString()!;
        Assert.Equal(remote.Participant.Id, added.GetProperty("author").GetString());

        _rig.Send(tech, new { type = "annotation.edit", id, points = new[] { new[] { 0.0, 0 }, [1, 1] } });
        Assert.Contains("only its author", tech.Kept().Last("refused").GetProperty("reason").GetString());
        _rig.Send(tech, new { type = "annotation.delete", id });
        Assert.Single(remote.Kept().Of("annotation")); // nothing else happened

        _rig.Send(remote, new { type = "annotation.edit", id, points = new[] { new[] { 10.0, 20 }, [210, 20] } });
        Assert.Equal(210, tech.Kept().Last("annotation").GetProperty("annotation").GetProperty("points")[1][0].GetDouble());
        _rig.Send(remote, new { type = "annotation.delete", id });
        Assert.Equal("deleted", tech.Kept().Last("annotation").GetProperty("op").GetString());

        _rig.Send(remote, new { type = "annotate", kind = "marker", runId = "EXAM-1/run-1", frame = 41, points = new[] { new[] { 1.0, 1 } } });
        Assert.Contains("no frame 41", remote.Kept().Last("refused").GetProperty("reason").GetString());
        _rig.Send(remote, new { type = "annotate", kind = "arrow", runId = "EXAM-1/run-1", frame = 1, points = new[] { new[] { 1.0, 1 } } });
        Assert.Contains("2 points", remote.Kept().Last("refused").GetProperty("reason").GetString());
        _rig.Send(remote, new { type = "annotate", kind = "circle", runId = "EXAM-1/run-1", frame = 1 });
        Assert.Contains("kind", remote.Kept().Last("refused").GetProperty("reason").GetString());
        Assert.Equal(3, tech.Kept().Of("annotation").Count());
        Assert.Contains(_rig.Audit.Records, r => r.Action == "discussion-annotation-deleted" && r.Subject == "dr-remote");
    }

    [Fact]
    public void Oversized_unknown_and_malformed_messages_are_refused_to_the_sender_and_nothing_else_changes()
    {
        var tech = _rig.Join(DiscussionRig.Technician);
        var remote = _rig.Join(DiscussionRig.Remote);
        int techBefore = tech.Kept().Messages.Count;
        _rig.Send(remote, new { type = "chat", text = new string('x', DiscussionLimits.MaxChatChars + 1) });
        _rig.Send(remote, new { type = "fire-the-tube" });
        _rig.Coordinator.Handle(remote, "not json");
        _rig.Coordinator.Handle(remote, "[1]");
        _rig.Send(remote, new { type = "chat", text = 5 });
        _rig.Send(remote, new { type = "pointer", x = -1, y = 3 });
        var reasons = remote.Kept().Of("refused").Select(r => r.GetProperty("reason").GetString()).ToList();
        Assert.Equal(6, reasons.Count);
        Assert.Contains("at most 1000 characters", reasons[0]);
        Assert.Contains("unknown message type 'fire-the-tube'", reasons[1]);
        Assert.Equal(techBefore, tech.Kept().Messages.Count);
        Assert.Equal(6, remote.Refused);
        _rig.Send(remote, new { type = "chat", text = "still here" });
        Assert.Equal("still here", tech.Kept().Last("chat").GetProperty("chat").GetProperty("text").GetString());
    }

    [Fact]
    public void Pointers_go_to_the_others_latest_first_and_are_not_journalled()
    {
        var tech = _rig.Join(DiscussionRig.Technician);
        var remote = _rig.Join(DiscussionRig.Remote);
        for (int i = 0; i < 100; i++) _rig.Send(remote, new { type = "pointer", x = i, y = 5 });
        Assert.Single(tech.Kept().LatestPointer);
        Assert.Contains("\"x\":99", tech.Kept().LatestPointer[remote.Participant.Id]);
        Assert.Empty(remote.Kept().LatestPointer);
        _rig.Restart();
        var again = _rig.Join(DiscussionRig.Remote);
        Assert.Equal(remote.Participant.Id, again.Participant.Id);
    }

    [Fact]
    public void A_restarted_coordinator_replays_its_journal_annotations_chat_floor_and_playback()
    {
        var tech = _rig.Join(DiscussionRig.Technician);
        var remote = _rig.Join(DiscussionRig.Remote);
        _rig.Send(tech, new { type = "select", runId = "EXAM-1/run-1", frame = 5 });
        _rig.Send(tech, new { type = "floor.grant", to = remote.Participant.Id });
        _rig.Send(remote, new { type = "annotate", kind = "text", runId = "EXAM-1/run-1", frame = 5, points = new[] { new[] { 3.0, 4 } }, text = "stenosis" });
        _rig.Send(tech, new { type = "chat", text = "see the LAD" });
        string before = Comparable(_rig.Coordinator.StateFor(remote.Participant));

        _rig.Restart();
        var back = _rig.Join(DiscussionRig.Remote);
        Assert.Equal(remote.Participant, back.Participant);
        Assert.Equal(before, Comparable(back.Kept().Last("state").ToString()));
        _rig.Send(back, new { type = "annotate", kind = "marker", runId = "EXAM-1/run-1", frame = 5, points = new[] { new[] { 3.0, 4 } } });
        Assert.Equal("a2", back.Kept().Last("annotation").GetProperty("annotation").GetProperty("id").GetString());
    }

    [Fact]
    public void Every_operation_message_is_at_most_one_kilobyte()
    {
        var tech = _rig.Join(DiscussionRig.Technician);
        var remote = _rig.Join(DiscussionRig.Remote);
        _rig.Send(tech, new { type = "select", runId = "EXAM-1/run-1" });
        _rig.Send(tech, new { type = "play", rate = 15 });
        _rig.Send(tech, new { type = "view", window = 1200, level = 600, zoom = 2 });
        var line = Enumerable.Range(0, DiscussionLimits.MaxFreeLinePoints).Select(i => new[] { 1000.5 + i, 1000.25 }).ToArray();
        _rig.Send(remote, new { type = "annotate", kind = "line", runId = "EXAM-1/run-1", frame = 40, points = line });
        _rig.Send(remote, new { type = "annotate", kind = "text", runId = "EXAM-1/run-1", frame = 40, points = new[] { new[] { 1.0, 1 } },
            text = new string('t', DiscussionLimits.MaxAnnotationTextChars) });
        _rig.Send(remote, new { type = "chat", text = new string('c', 800) });
        _rig.Send(remote, new { type = "floor.request" });
        var events = remote.Kept().Messages.Concat(tech.Kept().Messages).Where(m => !m.Contains("\"type\":\"state\"")).ToList();
        var sizes = events.Select(m => Encoding.UTF8.GetByteCount(m)).ToList();
        foreach (var m in events.Distinct()) output.WriteLine($"{Encoding.UTF8.GetByteCount(m),5} bytes: {m[..Math.Min(60, m.Length)]}");
        Assert.Empty(remote.Kept().Of("refused"));
        Assert.All(sizes, s => Assert.InRange(s, 1, 1024));
    }

    /// <summary>A state message without what differs by design between two reads: the clock and who is online.</summary>
    private static string Comparable(string state)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(state)!.AsObject();
        node.Remove("now");
        foreach (var p in node["participants"]!.AsArray()) p!.AsObject().Remove("online");
        return node.ToJsonString();
    }
}
