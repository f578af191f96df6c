namespace CathLab.Discussion.Tests;

/// <summary>The capture operation (docs/discussion.md): anyone captures the frame with its marks and the shared view;
/// everyone is told, the journal keeps it, the audit records it; a frame that does not exist is refused.</summary>
public sealed class DiscussionCaptureTests : IDisposable
{
    private readonly DiscussionRig _rig = new();

    public void Dispose() => _rig.Dispose();

    [Fact]
    public void A_participant_without_the_floor_captures_the_frame_with_its_marks_and_the_view()
    {
        var tech = _rig.Join(DiscussionRig.Technician);
        var remote = _rig.Join(DiscussionRig.Remote, "Dr Remote");
        _rig.Send(tech, new { type = "view", window = 900, level = 1500, zoom = 2 });
        _rig.Send(remote, new { type = "annotate", kind = "distance", runId = "EXAM-1/run-1", frame = 7, points = new[] { new[] { 10, 20 }, new[] { 110, 20 } } });
        _rig.Send(tech, new { type = "annotate", kind = "arrow", runId = "EXAM-1/run-1", frame = 7, points = new[] { new[] { 1, 2 }, new[] { 3, 4 } } });
        _rig.Send(tech, new { type = "annotate", kind = "marker", runId = "EXAM-1/run-1", frame = 8, points = new[] { new[] { 1, 2 } } });

        _rig.Send(remote, new { type = "capture", runId = "EXAM-1/run-1", frame = 7 });

        Assert.Empty(remote.Kept().Of("refused"));
        var request = Assert.Single(_rig.Captures.Requests);
        Assert.Equal(("EXAM-1/run-1", 7), (request.RunId, request.Frame));
        Assert.Equal(["distance", "arrow"], request.Annotations.Select(a => a.Kind));
        Assert.Equal(new ViewSettings(900, 1500, 2), request.View);
        Assert.Equal(remote.Participant, request.By);
        foreach (var member in new[] { tech, remote })
        {
            var captured = member.Kept().Last("captured");
            Assert.Equal(remote.Participant.Id, captured.GetProperty("by").GetString());
            Assert.Equal(7, captured.GetProperty("frame").GetInt32());
            Assert.Equal("2.25.1", captured.GetProperty("sopInstanceUid").GetString());
        }
        Assert.Contains(_rig.Audit.Records, r => r.Action == "discussion-capture" && r.Outcome == "OK" && r.Subject == "dr-remote" && r.Detail!.Contains("2.25.1"));

        _rig.Restart();
        var again = _rig.Join(DiscussionRig.Fellow);
        var kept = again.Kept().Last("state").GetProperty("captures");
        Assert.Equal("2.25.1", Assert.Single(kept.EnumerateArray()).GetProperty("sopInstanceUid").GetString());
    }

    [Fact]
    public void A_frame_without_marks_is_captured_too()
    {
        var tech = _rig.Join(DiscussionRig.Technician);
        _rig.Send(tech, new { type = "capture", runId = "EXAM-1/run-2", frame = 12 });
        Assert.Empty(Assert.Single(_rig.Captures.Requests).Annotations);
        Assert.Single(tech.Kept().Of("captured"));
    }

    [Theory]
    [InlineData("EXAM-1/run-2", 13, "no frame 13")]
    [InlineData("EXAM-1/run-2", 0, "no frame 0")]
    [InlineData("EXAM-1/run-9", 1, "no run")]
    public void A_frame_that_does_not_exist_is_refused_to_the_sender_alone(string runId, int frame, string reason)
    {
        var tech = _rig.Join(DiscussionRig.Technician);
        var remote = _rig.Join(DiscussionRig.Remote);
        _rig.Send(remote, new { type = "capture", runId, frame });
        Assert.Contains(reason, remote.Kept().Last("refused").GetProperty("reason").GetString());
        Assert.Empty(_rig.Captures.Requests);
        Assert.Empty(tech.Kept().Of("captured"));
        Assert.Empty(tech.Kept().Of("refused"));
    }

    [Fact]
    public void A_capture_the_host_cannot_store_is_refused_audited_and_not_journalled()
    {
        var tech = _rig.Join(DiscussionRig.Technician);
        _rig.Captures.RefuseWith = "the spool is full";
        _rig.Send(tech, new { type = "capture", runId = "EXAM-1/run-1", frame = 1 });
        Assert.Contains("the spool is full", tech.Kept().Last("refused").GetProperty("reason").GetString());
        Assert.Contains(_rig.Audit.Records, r => r.Action == "discussion-capture" && r.Outcome == "FAILED");
        _rig.Restart();
        var again = _rig.Join(DiscussionRig.Fellow);
        Assert.Empty(again.Kept().Last("state").GetProperty("captures").EnumerateArray());
    }
}
