namespace CathLab.Discussion.Tests;

/// <summary>Discussing the live exam (docs/discussion.md, The live exam): the floor holder switches everyone between the
/// live monitor and a recorded run; nothing plays on live; annotations on live are bound to the live frame number shown.</summary>
public sealed class DiscussionLiveTests : IDisposable
{
    private readonly DiscussionRig _rig = new();

    public void Dispose() => _rig.Dispose();

    [Fact]
    public void The_floor_holder_switches_everyone_to_live_and_back_to_a_recorded_run()
    {
        var tech = _rig.Join(DiscussionRig.Technician);
        var remote = _rig.Join(DiscussionRig.Remote);
        _rig.Send(tech, new { type = "select", runId = "EXAM-1/run-1", frame = 4 });
        _rig.Send(tech, new { type = "play", rate = 7.5 });

        _rig.Send(remote, new { type = "live" });
        Assert.Contains("needs the floor", remote.Kept().Last("refused").GetProperty("reason").GetString());
        _rig.Send(tech, new { type = "live" });
        foreach (var member in new[] { tech, remote })
        {
            var live = DiscussionJson.Read<SharedPlayback>(member.Kept().Last("playback").GetProperty("playback"));
            Assert.Equal((SharedPlayback.LiveRunId, false, 7.5), (live.RunId, live.Playing, live.Rate));
        }
        int playbacks = remote.Kept().Of("playback").Count();
        foreach (var op in new object[] { new { type = "play" }, new { type = "seek", frame = 2 }, new { type = "step" }, new { type = "pause" }, new { type = "rate", fps = 5 } })
        {
            _rig.Send(tech, op);
            Assert.Contains("live exam", tech.Kept().Last("refused").GetProperty("reason").GetString());
        }
        _rig.Send(tech, new { type = "live" });
        Assert.Contains("live exam already", tech.Kept().Last("refused").GetProperty("reason").GetString());
        Assert.Equal(playbacks, remote.Kept().Of("playback").Count());

        // A late joiner is shown the live exam; selecting a run brings everyone back to it, at the kept rate.
        var fellow = _rig.Join(DiscussionRig.Fellow);
        Assert.Equal(SharedPlayback.LiveRunId, fellow.Kept().Last("state").GetProperty("playback").GetProperty("runId").GetString());
        _rig.Send(tech, new { type = "select", runId = "EXAM-1/run-2", frame = 3 });
        var back = DiscussionJson.Read<SharedPlayback>(fellow.Kept().Last("playback").GetProperty("playback"));
        Assert.Equal(("EXAM-1/run-2", 3, 7.5), (back.RunId, back.StartFrame, back.Rate));
    }

    [Fact]
    public void Annotations_on_live_are_bound_to_the_live_frame_number_kept_after_a_restart_and_not_captured()
    {
        var tech = _rig.Join(DiscussionRig.Technician);
        var remote = _rig.Join(DiscussionRig.Remote);
        _rig.Send(tech, new { type = "live" });

        // Anyone annotates the live frame shown (here the last-image hold's frame number, 1234), floor or not.
        _rig.Send(remote, new { type = "annotate", kind = "arrow", runId = "live", frame = 1234, points = new[] { new[] { 10.0, 10 }, new[] { 60.0, 40 } }, text = "wire tip" });
        Assert.Empty(remote.Kept().Of("refused"));
        var added = tech.Kept().Last("annotation").GetProperty("annotation");
        Assert.Equal(("live", 1234), (added.GetProperty("runId").GetString(), added.GetProperty("frame").GetInt32()));
        _rig.Send(remote, new { type = "annotate", kind = "marker", runId = "live", frame = 0, points = new[] { new[] { 1.0, 1 } } });
        Assert.Contains("1 or more", remote.Kept().Last("refused").GetProperty("reason").GetString());

        _rig.Send(remote, new { type = "capture", runId = "live", frame = 1234 });
        Assert.Contains("live frame is not captured", remote.Kept().Last("refused").GetProperty("reason").GetString());
        Assert.Empty(_rig.Captures.Requests);
        Assert.Empty(tech.Kept().Of("captured"));

        _rig.Restart();
        var again = _rig.Join(DiscussionRig.Remote);
        var state = again.Kept().Last("state");
        Assert.Equal("live", state.GetProperty("playback").GetProperty("runId").GetString());
        var kept = Assert.Single(state.GetProperty("annotations").EnumerateArray());
        Assert.Equal(("live", 1234, "wire tip"), (kept.GetProperty("runId").GetString(), kept.GetProperty("frame").GetInt32(), kept.GetProperty("text").GetString()));
    }
}
