using System.Text.Json;

namespace CathLab.Discussion;

/// <summary>The discussion's durable state, changed only by applying events (the same JSON that is broadcast and
/// journalled), so replaying the journal rebuilds exactly what the participants saw.</summary>
internal sealed class DiscussionState
{
    private readonly List<Participant> _participants = [];
    private readonly List<Annotation> _annotations = [];
    private readonly List<ChatLine> _chat = [];
    private readonly List<CapturedFrame> _captures = [];
    private int _lastAnnotation;

    public IReadOnlyList<Participant> Participants => _participants;
    public IReadOnlyList<Annotation> Annotations => _annotations;
    public IReadOnlyList<ChatLine> Chat => _chat;
    public IReadOnlyList<CapturedFrame> Captures => _captures;
    public FloorState Floor { get; private set; } = FloorState.Empty;
    public SharedPlayback Playback { get; private set; } = SharedPlayback.None;
    public ViewSettings View { get; private set; } = ViewSettings.Default;

    public string NextAnnotationId() => $"a{_lastAnnotation + 1}";

    public Participant? Find(string id) => _participants.Find(p => p.Id == id);

    public Annotation? FindAnnotation(string id) => _annotations.Find(a => a.Id == id);

    public void Apply(string eventJson)
    {
        using var doc = JsonDocument.Parse(eventJson);
        var e = doc.RootElement;
        switch (e.GetProperty("type").GetString())
        {
            case "joined":
                var joined = DiscussionJson.Read<Participant>(e.GetProperty("participant"));
                if (Find(joined.Id) is null) _participants.Add(joined);
                break;
            case "floor":
                Floor = DiscussionJson.Read<FloorState>(e.GetProperty("floor"));
                break;
            case "playback":
                Playback = DiscussionJson.Read<SharedPlayback>(e.GetProperty("playback"));
                break;
            case "view":
                View = DiscussionJson.Read<ViewSettings>(e.GetProperty("view"));
                break;
            case "annotation":
                ApplyAnnotation(e.GetProperty("op").GetString(), DiscussionJson.Read<Annotation>(e.GetProperty("annotation")));
                break;
            case "chat":
                _chat.Add(DiscussionJson.Read<ChatLine>(e.GetProperty("chat")));
                break;
            case "captured":
                _captures.Add(new CapturedFrame(e.GetProperty("by").GetString()!, e.GetProperty("runId").GetString()!, e.GetProperty("frame").GetInt32(),
                    e.GetProperty("sopInstanceUid").GetString()!, e.GetProperty("at").GetInt64()));
                break;
            default:
                throw new InvalidDataException($"a discussion event of unknown type: {eventJson}");
        }
    }

    private void ApplyAnnotation(string? op, Annotation annotation)
    {
        int at = _annotations.FindIndex(a => a.Id == annotation.Id);
        switch (op)
        {
            case "added":
                _annotations.Add(annotation);
                if (int.TryParse(annotation.Id.AsSpan(1), out int n)) _lastAnnotation = Math.Max(_lastAnnotation, n);
                break;
            case "edited" when at >= 0:
                _annotations[at] = annotation;
                break;
            case "deleted" when at >= 0:
                _annotations.RemoveAt(at);
                break;
            default:
                throw new InvalidDataException($"annotation {annotation.Id}: cannot apply '{op}'");
        }
    }
}
