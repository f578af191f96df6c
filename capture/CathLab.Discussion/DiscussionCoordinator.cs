using System.Globalization;
using System.Text.Json;
using CathLab.Security.Access;
using CathLab.Security.Audit;

namespace CathLab.Discussion;

/// <summary>
/// The one source of truth for one exam's discussion. Every operation runs under one lock: it is checked, turned into an
/// event, applied, journalled and queued to every connection before the next one starts, so all participants see the
/// same events in the same order and the journal holds exactly that order. A lock rather than a channel-fed loop
/// because operations are tiny (no I/O but one SQLite insert) and the sender's refusal is known at once; nothing under
/// the lock waits on a socket (peers only queue). Protocol: docs/discussion.md.
/// </summary>
public sealed class DiscussionCoordinator : IDisposable
{
    public const string Transport = "websocket";

    private readonly Lock _gate = new();
    private readonly DiscussionState _state = new();
    private readonly List<DiscussionMember> _members = [];
    private readonly Dictionary<string, int> _finalFrames = [];
    private readonly DiscussionJournal _journal;
    private readonly IRunFrameCounts _runs;
    private readonly IAuditLog _audit;
    private readonly TimeProvider _clock;
    private readonly IFrameCapture? _capture;

    public DiscussionCoordinator(string examId, DiscussionJournal journal, IRunFrameCounts runs, IAuditLog audit, TimeProvider clock, IFrameCapture? capture = null)
    {
        _capture = capture;
        ExamId = examId;
        _journal = journal;
        _runs = runs;
        _audit = audit;
        _clock = clock;
        foreach (var e in journal.Events()) _state.Apply(e);
    }

    public string ExamId { get; }

    private long Now => _clock.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Brings a connection in: it is sent the whole state first, then the others are told it joined.</summary>
    public DiscussionMember Join(CallerIdentity caller, string? name, IDiscussionPeer peer, string? address = null)
    {
        string shown = string.IsNullOrWhiteSpace(name) ? caller.Subject : name.Trim();
        if (shown.Length > DiscussionLimits.MaxNameChars) shown = shown[..DiscussionLimits.MaxNameChars];
        lock (_gate)
        {
            var participant = _state.Participants.FirstOrDefault(p => p.Subject == caller.Subject && p.Name == shown);
            if (participant is null)
            {
                participant = new Participant($"p{_state.Participants.Count + 1}", caller.Subject, shown, caller.Role.ToString().ToLowerInvariant(),
                    PointerPalette.Next(_state.Participants.Select(p => p.Colour)));
                Commit(DiscussionJson.Write(new { type = "joined", participant }), except: null);
            }
            else
            {
                Broadcast(DiscussionJson.Write(new { type = "joined", participant }), except: null);
            }
            // The floor goes to the first one before it is a member: its own first message is the state, floor included.
            if (_state.Floor.Driver is null) CommitFloor(_state.Floor with { Driver = participant.Id }, participant, "granted");
            var member = new DiscussionMember(participant, peer, address);
            _members.Add(member);
            peer.Post(StateFor(participant));
            Audit(participant, "discussion-join", "OK", address);
            return member;
        }
    }

    public void Leave(DiscussionMember member)
    {
        lock (_gate)
        {
            if (!_members.Remove(member)) return;
            Audit(member.Participant, "discussion-leave", "OK", member.Address, $"accepted {member.Accepted}, refused {member.Refused}");
            if (!Online(member.Participant.Id)) Broadcast(DiscussionJson.Write(new { type = "left", id = member.Participant.Id }), except: null);
        }
    }

    /// <summary>One message from a connection: applied and broadcast, or refused to that connection alone.</summary>
    public void Handle(DiscussionMember member, string text)
    {
        string type = "?";
        string? refusal;
        try
        {
            using var doc = JsonDocument.Parse(text);
            var message = doc.RootElement;
            if (message.ValueKind != JsonValueKind.Object || !message.TryGetProperty("type", out var t) || t.ValueKind != JsonValueKind.String)
            {
                refusal = "a message is a JSON object with a \"type\"";
            }
            else if ((type = t.GetString()!) == "capture")
            {
                refusal = Capture(member, message);
            }
            else
            {
                lock (_gate) refusal = Apply(member, type, message);
            }
        }
        catch (JsonException e)
        {
            refusal = $"not JSON: {e.Message}";
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or KeyNotFoundException)
        {
            refusal = $"a field has the wrong type: {e.Message}";
        }
        if (refusal is null)
        {
            member.Accepted++;
            return;
        }
        member.Refused++;
        member.Peer.Post(Refused(type, refusal));
    }

    /// <summary>The state message for <paramref name="you"/>; also what a test reads to compare participants.</summary>
    public string StateFor(Participant you)
    {
        lock (_gate)
        {
            return DiscussionJson.Write(new
            {
                type = "state",
                examId = ExamId,
                now = Now,
                you = new { id = you.Id, colour = you.Colour },
                participants = _state.Participants.Select(p => new { p.Id, p.Name, p.Role, p.Colour, online = Online(p.Id) }),
                floor = _state.Floor,
                playback = _state.Playback,
                view = _state.View,
                annotations = _state.Annotations,
                chat = _state.Chat,
                captures = _state.Captures,
            });
        }
    }

    public static string Refused(string type, string reason) => DiscussionJson.Write(new { type = "refused", @for = type, reason });

    private string? Apply(DiscussionMember member, string type, JsonElement m)
    {
        var who = member.Participant;
        switch (type)
        {
            case "clock":
                member.Peer.Post(DiscussionJson.Write(new { type = "clock", now = Now }));
                return null;
            case "pointer":
                return Pointer(who, m);
            case "chat":
                return Chat(who, m);
            case "floor.request":
            case "floor.release":
            case "floor.grant":
            case "floor.take":
                return FloorOperation(who, type, m);
            case "annotate":
                return Annotate(who, m);
            case "annotation.edit":
            case "annotation.delete":
                return ChangeAnnotation(who, type, m);
            case "select":
            case "play":
            case "pause":
            case "seek":
            case "step":
            case "rate":
            case "view":
                if (_state.Floor.Driver != who.Id) return $"'{type}' needs the floor; {NameOf(_state.Floor.Driver)} drives (send floor.request)";
                return type == "view" ? View(who, m) : Playback(who, type, m);
            default:
                return $"unknown message type '{type}'";
        }
    }

    private string? Pointer(Participant who, JsonElement m)
    {
        if (!TryPoint(m, out double x, out double y)) return "a pointer needs x and y, numbers from 0 to 65535 (image pixels)";
        string message = string.Create(CultureInfo.InvariantCulture, $"{{\"type\":\"pointer\",\"from\":\"{who.Id}\",\"x\":{x},\"y\":{y}}}");
        foreach (var member in _members)
        {
            if (member.Participant.Id != who.Id) member.Peer.Point(who.Id, message);
        }
        return null;
    }

    private string? Chat(Participant who, JsonElement m)
    {
        string? text = OptionalString(m, "text");
        if (string.IsNullOrWhiteSpace(text)) return "a chat message needs a text";
        if (text.Length > DiscussionLimits.MaxChatChars) return $"a chat text is at most {DiscussionLimits.MaxChatChars} characters (this one has {text.Length})";
        Commit(DiscussionJson.Write(new { type = "chat", chat = new ChatLine(who.Id, who.Name, Now, text) }), except: null);
        Audit(who, "discussion-chat", "OK", null, $"{text.Length} characters");
        return null;
    }

    private string? FloorOperation(Participant who, string type, JsonElement m)
    {
        var floor = _state.Floor;
        var others = floor.Requests.Where(r => r != who.Id).ToList();
        switch (type)
        {
            case "floor.request":
                if (floor.Driver == who.Id) return "you have the floor";
                if (floor.Driver is null || !Online(floor.Driver)) return CommitFloor(new FloorState(who.Id, others), who, "granted");
                if (floor.Requests.Contains(who.Id)) return "you have asked for the floor already";
                return CommitFloor(floor with { Requests = [.. floor.Requests, who.Id] }, who, "requested");
            case "floor.release":
                if (floor.Driver != who.Id) return "you do not have the floor";
                string? next = others.FirstOrDefault(Online);
                return CommitFloor(new FloorState(next, others.Where(r => r != next).ToList()), who, next is null ? "released" : "passed");
            case "floor.grant":
                if (floor.Driver != who.Id) return "only the driver grants the floor";
                string? to = OptionalString(m, "to");
                if (to is null || _state.Find(to) is null) return "floor.grant needs \"to\": a participant's id";
                return CommitFloor(new FloorState(to, others.Where(r => r != to).ToList()), who, "granted");
            default:
                if (who.Role != nameof(StationRole.Technician).ToLowerInvariant()) return "only a technician may take the floor";
                if (floor.Driver == who.Id) return "you have the floor";
                return CommitFloor(new FloorState(who.Id, others), who, "taken");
        }
    }

    private string? CommitFloor(FloorState floor, Participant by, string change)
    {
        Commit(DiscussionJson.Write(new { type = "floor", by = by.Id, change, floor }), except: null);
        Audit(by, "discussion-floor", "OK", null, $"{change}: driver {floor.Driver ?? "none"}");
        return null;
    }

    private string? Playback(Participant who, string type, JsonElement m)
    {
        long now = Now;
        var playback = _state.Playback;
        if (type == "select")
        {
            string? runId = OptionalString(m, "runId");
            if (runId is null) return "select needs a runId";
            int? frames = FramesOf(runId);
            if (frames is null) return $"exam {ExamId} has no run '{runId}'";
            int frame = m.TryGetProperty("frame", out var f) ? f.GetInt32() : 1;
            if (frame < 1 || frame > frames) return $"run {runId} has frames 1 to {frames}; there is no frame {frame}";
            return CommitPlayback(who, new SharedPlayback(runId, frames.Value, false, playback.Rate, frame, now));
        }
        if (playback.RunId is null) return $"'{type}' needs a run: send select first";
        int count = FramesOf(playback.RunId) ?? playback.Frames;
        playback = playback with { Frames = count };
        switch (type)
        {
            case "play":
                double rate = m.TryGetProperty("rate", out var r) ? r.GetDouble() : playback.Rate;
                if (!(rate > 0 && rate <= DiscussionLimits.MaxRateFps)) return $"a rate is above 0 and at most {DiscussionLimits.MaxRateFps} frames per second";
                return CommitPlayback(who, playback.PlayingAt(rate, now));
            case "pause":
                return CommitPlayback(who, playback.PausedAt(playback.FrameAt(now), now));
            case "seek":
                int frame = m.GetProperty("frame").GetInt32();
                if (frame < 1 || frame > count) return $"run {playback.RunId} has frames 1 to {count}; there is no frame {frame}";
                return CommitPlayback(who, playback.Playing ? playback with { StartFrame = frame, T0 = now } : playback.PausedAt(frame, now));
            case "step":
                int by = m.TryGetProperty("by", out var b) ? b.GetInt32() : 1;
                int to = Math.Clamp(playback.FrameAt(now) + by, 1, count);
                return CommitPlayback(who, playback.PausedAt(to, now));
            default:
                double fps = m.GetProperty("fps").GetDouble();
                if (!(fps > 0 && fps <= DiscussionLimits.MaxRateFps)) return $"a rate is above 0 and at most {DiscussionLimits.MaxRateFps} frames per second";
                return CommitPlayback(who, playback.Playing ? playback.PlayingAt(fps, now) : playback with { Rate = fps });
        }
    }

    private string? CommitPlayback(Participant who, SharedPlayback playback)
    {
        Commit(DiscussionJson.Write(new { type = "playback", by = who.Id, playback }), except: null);
        return null;
    }

    private string? View(Participant who, JsonElement m)
    {
        var view = _state.View;
        double? window = m.TryGetProperty("window", out var w) ? w.GetDouble() : view.Window;
        double? level = m.TryGetProperty("level", out var l) ? l.GetDouble() : view.Level;
        double zoom = m.TryGetProperty("zoom", out var z) ? z.GetDouble() : view.Zoom;
        if (window is <= 0) return "a window width is above 0";
        if (zoom < DiscussionLimits.MinZoom || zoom > DiscussionLimits.MaxZoom) return $"a zoom is from {DiscussionLimits.MinZoom} to {DiscussionLimits.MaxZoom}";
        Commit(DiscussionJson.Write(new { type = "view", by = who.Id, view = new ViewSettings(window, level, zoom) }), except: null);
        return null;
    }

    private string? Annotate(Participant who, JsonElement m)
    {
        string? kind = OptionalString(m, "kind");
        string? runId = OptionalString(m, "runId");
        if (runId is null || !m.TryGetProperty("frame", out var f) || f.ValueKind != JsonValueKind.Number) return "an annotation needs a runId and a frame";
        int frame = f.GetInt32();
        int? frames = FramesOf(runId);
        if (frames is null) return $"exam {ExamId} has no run '{runId}'";
        if (frame < 1 || frame > frames) return $"run {runId} has frames 1 to {frames}; there is no frame {frame}";
        if (Shape(kind, m, out var points, out string? text) is { } problem) return problem;
        var annotation = new Annotation(_state.NextAnnotationId(), who.Id, kind!, runId, frame, points, text);
        Commit(DiscussionJson.Write(new { type = "annotation", op = "added", by = who.Id, annotation }), except: null);
        Audit(who, "discussion-annotate", "OK", null, $"{annotation.Id} {kind} on {runId} frame {frame}");
        return null;
    }

    private string? ChangeAnnotation(Participant who, string type, JsonElement m)
    {
        string? id = OptionalString(m, "id");
        var existing = id is null ? null : _state.FindAnnotation(id);
        if (existing is null) return $"no annotation '{id}'";
        if (existing.Author != who.Id) return $"annotation {id} is {NameOf(existing.Author)}'s: only its author may change it";
        var changed = existing;
        string op = "deleted";
        if (type == "annotation.edit")
        {
            op = "edited";
            if (Shape(existing.Kind, m, out var points, out string? text, existing) is { } problem) return problem;
            changed = existing with { Points = points, Text = text };
        }
        Commit(DiscussionJson.Write(new { type = "annotation", op, by = who.Id, annotation = changed }), except: null);
        Audit(who, $"discussion-annotation-{op}", "OK", null, $"{id}");
        return null;
    }

    /// <summary>The points and text a <paramref name="kind"/> needs, from the message (or, editing, kept from
    /// <paramref name="before"/> where the message leaves them out); a problem, or null.</summary>
    private static string? Shape(string? kind, JsonElement m, out IReadOnlyList<double[]> points, out string? text, Annotation? before = null)
    {
        points = before?.Points ?? [];
        text = m.TryGetProperty("text", out _) ? OptionalString(m, "text") : before?.Text;
        (int Min, int Max)? needed = kind switch
        {
            "arrow" or "distance" => (2, 2),
            "marker" or "text" => (1, 1),
            "line" => (2, DiscussionLimits.MaxFreeLinePoints),
            _ => null,
        };
        if (needed is not { } n) return $"an annotation's kind is arrow, marker, text, line or distance, not '{kind}'";
        if (m.TryGetProperty("points", out var p))
        {
            if (p.ValueKind != JsonValueKind.Array) return "points are [[x,y],...] in image pixels";
            var read = new List<double[]>();
            foreach (var point in p.EnumerateArray())
            {
                if (!TryPair(point, out double x, out double y)) return $"a point is [x,y], each from 0 to {DiscussionLimits.MaxCoordinate} (image pixels)";
                read.Add([x, y]);
            }
            points = read;
        }
        if (points.Count < n.Min || points.Count > n.Max) return $"a {kind} has {(n.Min == n.Max ? n.Min.ToString(CultureInfo.InvariantCulture) : $"{n.Min} to {n.Max}")} points, not {points.Count}";
        if (kind == "text" && string.IsNullOrWhiteSpace(text)) return "a text annotation needs a text";
        if (text is { Length: > DiscussionLimits.MaxAnnotationTextChars }) return $"an annotation's text is at most {DiscussionLimits.MaxAnnotationTextChars} characters";
        return null;
    }

    /// <summary>Anyone may capture: it changes nothing the others see, it records it. The frame, its marks and the view
    /// are taken under the lock; the object is written and handed to publishing outside it, so a slow disk holds up no
    /// one else's operation; the capture is then journalled and broadcast. A frame without marks is still a capture
    /// (the frame as shown, its window and zoom).</summary>
    private string? Capture(DiscussionMember member, JsonElement m)
    {
        var who = member.Participant;
        CaptureRequest request;
        lock (_gate)
        {
            if (_capture is null) return "this station does not capture frames";
            string? runId = OptionalString(m, "runId");
            if (runId is null || !m.TryGetProperty("frame", out var f) || f.ValueKind != JsonValueKind.Number) return "a capture needs a runId and a frame";
            int frame = f.GetInt32();
            int? frames = FramesOf(runId);
            if (frames is null) return $"exam {ExamId} has no run '{runId}'";
            if (frame < 1 || frame > frames) return $"run {runId} has frames 1 to {frames}; there is no frame {frame}";
            request = new CaptureRequest(ExamId, runId, frame, _state.View, [.. _state.Annotations.Where(a => a.RunId == runId && a.Frame == frame)], who, _clock.GetUtcNow(), _state.Captures.Count + 1);
        }
        string sopInstanceUid;
        try
        {
            sopInstanceUid = _capture.Capture(request);
        }
        catch (CaptureRefusedException e)
        {
            lock (_gate) Audit(who, "discussion-capture", "FAILED", member.Address, $"{request.RunId} frame {request.Frame}: {e.Message}");
            return $"the capture failed: {e.Message}";
        }
        lock (_gate)
        {
            Commit(DiscussionJson.Write(new { type = "captured", by = who.Id, runId = request.RunId, frame = request.Frame, sopInstanceUid, at = request.At.ToUnixTimeMilliseconds() }), except: null);
            Audit(who, "discussion-capture", "OK", member.Address, $"{request.RunId} frame {request.Frame}, {request.Annotations.Count} annotations: {sopInstanceUid}");
        }
        return null;
    }

    private int? FramesOf(string runId)
    {
        if (_finalFrames.TryGetValue(runId, out int known)) return known;
        if (_runs.FramesOf(ExamId, runId) is not { } run) return null;
        if (run.Final) _finalFrames[runId] = run.Frames;
        return run.Frames;
    }

    private void Commit(string eventJson, DiscussionMember? except)
    {
        _journal.Append(_clock.GetUtcNow(), eventJson);
        _state.Apply(eventJson);
        Broadcast(eventJson, except);
    }

    private void Broadcast(string message, DiscussionMember? except)
    {
        foreach (var member in _members)
        {
            if (member != except) member.Peer.Post(message);
        }
    }

    private bool Online(string participantId) => _members.Exists(m => m.Participant.Id == participantId);

    private string NameOf(string? participantId) => participantId is null ? "nobody" : _state.Find(participantId)?.Name ?? participantId;

    private void Audit(Participant who, string action, string outcome, string? address, string? detail = null) =>
        _audit.Record(new AuditRecord(_clock.GetUtcNow(), who.Subject, action, outcome, ExamId, who.Role, address, Transport, Detail: $"{who.Id} {who.Name}{(detail is null ? "" : ": " + detail)}"));

    private static string? OptionalString(JsonElement m, string name) =>
        m.TryGetProperty(name, out var v) ? v.ValueKind == JsonValueKind.String ? v.GetString() : throw new FormatException($"\"{name}\" is a string") : null;

    private static bool TryPoint(JsonElement m, out double x, out double y)
    {
        x = y = 0;
        return m.TryGetProperty("x", out var jx) && m.TryGetProperty("y", out var jy) && InRange(jx, out x) && InRange(jy, out y);
    }

    private static bool TryPair(JsonElement point, out double x, out double y)
    {
        x = y = 0;
        return point.ValueKind == JsonValueKind.Array && point.GetArrayLength() == 2 && InRange(point[0], out x) && InRange(point[1], out y);
    }

    private static bool InRange(JsonElement e, out double value)
    {
        value = 0;
        return e.ValueKind == JsonValueKind.Number && e.TryGetDouble(out value) && value >= 0 && value <= DiscussionLimits.MaxCoordinate;
    }

    public void Dispose() => _journal.Dispose();
}
