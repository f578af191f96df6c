using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Json.Schema;

namespace CathLab.Discussion.Tests;

/// <summary>docs/discussion.schema.json against what the coordinator really sends and takes, and against every example
/// docs/discussion.md shows: a message of either direction validates, and the schema still refuses what the station refuses.</summary>
public sealed partial class DiscussionSchemaTests(Xunit.Abstractions.ITestOutputHelper output) : IDisposable
{
    private static readonly JsonObject Document = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "discussion.schema.json")))!.AsObject();
    private static readonly JsonSchema ToStation = Part("toStation");
    private static readonly JsonSchema ToClient = Part("toClient");
    private static readonly JsonSchema AnyMessage = Part(null);
    private readonly DiscussionRig _rig = new();
    private readonly List<string> _sent = [];

    public void Dispose() => _rig.Dispose();

    [Fact]
    public void Every_message_of_a_whole_discussion_validates_in_its_direction()
    {
        var tech = _rig.Join(DiscussionRig.Technician, "Tech at the table");
        var remote = _rig.Join(DiscussionRig.Remote, "Dr Remote");
        Send(tech, new { type = "clock" });
        Send(tech, new { type = "select", runId = "EXAM-1/run-1", frame = 3 });
        Send(tech, new { type = "play", rate = 15 });
        Send(tech, new { type = "rate", fps = 7.5 });
        Send(tech, new { type = "seek", frame = 12 });
        Send(tech, new { type = "step", by = -1 });
        Send(tech, new { type = "pause" });
        Send(tech, new { type = "view", window = 1200, level = 600, zoom = 2 });
        Send(remote, new { type = "floor.request" });
        Send(tech, new { type = "floor.grant", to = remote.Participant.Id });
        Send(remote, new { type = "floor.release" });
        Send(tech, new { type = "floor.take" });
        Send(remote, new { type = "annotate", kind = "arrow", runId = "EXAM-1/run-1", frame = 7, points = new[] { new[] { 100, 100 }, new[] { 140, 120 } }, text = "stenosis?" });
        Send(remote, new { type = "annotate", kind = "distance", runId = "EXAM-1/run-1", frame = 7, points = new[] { new[] { 10.5, 20 }, new[] { 110.0, 20 } } });
        Send(remote, new { type = "annotate", kind = "line", runId = "EXAM-1/run-1", frame = 7, points = Enumerable.Range(0, 32).Select(i => new[] { i * 2.0, 5 }).ToArray() });
        Send(remote, new { type = "annotation.edit", id = "a1", points = new[] { new[] { 100, 100 }, new[] { 180, 130 } }, text = "mid LAD" });
        Send(remote, new { type = "annotation.delete", id = "a3" });
        Send(remote, new { type = "chat", text = "see the LAD" });
        Send(remote, new { type = "pointer", x = 412.5, y = 300 });
        Send(remote, new { type = "capture", runId = "EXAM-1/run-1", frame = 7 });
        Send(tech, new { type = "live" });
        Send(remote, new { type = "annotate", kind = "marker", runId = "live", frame = 1234, points = new[] { new[] { 5, 6 } } });
        Send(remote, new { type = "seek", frame = 99 }); // refused: no floor
        _rig.Coordinator.Handle(remote, """{"type":"teleport"}""");   // refused: unknown type (and no operation of the schema)
        _rig.Coordinator.Leave(remote);
        var late = _rig.Join(DiscussionRig.Fellow);      // a state with participants, annotations, chat and a capture

        var received = new[] { tech, remote, late }.SelectMany(m => m.Kept().Messages.Concat(m.Kept().LatestPointer.Values)).ToList();
        string[] types = [.. received.Select(m => JsonNode.Parse(m)!["type"]!.GetValue<string>()).Distinct().Order()];
        output.WriteLine($"{received.Count} messages from the station, types {string.Join(' ', types)}; {_sent.Count} operations");
        Assert.Equal(["annotation", "captured", "chat", "clock", "floor", "joined", "left", "playback", "pointer", "refused", "state", "view"], types);
        AssertValid(ToClient, received);
        AssertValid(ToStation, _sent);
        AssertValid(ToStation, [JsonSerializer.Serialize(new { token = "t", examId = DiscussionRig.Exam, name = "Dr Remote" })]);
    }

    [Fact]
    public void Every_example_in_the_protocol_page_validates()
    {
        string page = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "discussion.md"));
        var examples = JsonBlock().Matches(page).Select(m => m.Groups[1].Value).Concat(InlineJson().Matches(page).Select(m => m.Groups[1].Value)).ToList();
        output.WriteLine($"{examples.Count} examples");
        Assert.True(examples.Count >= 30, $"only {examples.Count} JSON examples found in discussion.md");
        // A message has a type (or is the hello, with its token); the page's one other example is the playback object.
        bool IsMessage(string e) => JsonNode.Parse(e) is JsonObject o && (o.ContainsKey("type") || o.ContainsKey("token"));
        AssertValid(AnyMessage, [.. examples.Where(IsMessage)]);
        AssertValid(Part("playbackState"), [.. examples.Where(e => !IsMessage(e))]);
    }

    [Fact]
    public void The_schema_refuses_what_the_station_refuses()
    {
        string[] refused =
        [
            """{"type":"teleport"}""",
            """{"type":"chat","text":""}""",
            $$"""{"type":"annotate","kind":"text","runId":"r","frame":1,"points":[[1,1]],"text":"{{new string('t', 201)}}"}""",
            """{"type":"annotate","kind":"arrow","runId":"r","frame":0,"points":[[1,1],[2,2]]}""",
            """{"type":"pointer","x":-1,"y":3}""",
            """{"type":"seek","frame":"twelve"}""",
            """["not","an","object"]""",
        ];
        foreach (string message in refused) Assert.False(AnyMessage.Evaluate(JsonNode.Parse(message)).IsValid, $"the schema took {message}");
    }

    private void Send(DiscussionMember member, object operation)
    {
        string json = JsonSerializer.Serialize(operation);
        _sent.Add(json);
        _rig.Coordinator.Handle(member, json);
    }

    private static void AssertValid(JsonSchema schema, IReadOnlyList<string> messages)
    {
        var failures = new List<string>();
        foreach (string message in messages.Distinct())
        {
            var result = schema.Evaluate(JsonNode.Parse(message), new EvaluationOptions { OutputFormat = OutputFormat.List });
            if (!result.IsValid)
            {
                var why = result.Details.Where(d => d.Errors is { Count: > 0 }).Select(d => $"{d.InstanceLocation}: {string.Join("; ", d.Errors!.Values)}").Take(6);
                failures.Add($"{message}\n    {string.Join("\n    ", why)}");
            }
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of {messages.Count} do not validate:\n{string.Join('\n', failures)}");
    }

    /// <summary>The schema with <paramref name="definition"/> as its root (null: the document's own root, either direction).</summary>
    private static JsonSchema Part(string? definition)
    {
        var root = Document.DeepClone().AsObject();
        // Each part is its own document: without the $id none is registered globally, so the three do not collide.
        root.Remove("$id");
        if (definition is not null)
        {
            root.Remove("anyOf");
            root["$ref"] = $"#/$defs/{definition}";
        }
        return JsonSchema.FromText(root.ToJsonString());
    }

    [GeneratedRegex("```json\\n(.*?)\\n```", RegexOptions.Singleline)]
    private static partial Regex JsonBlock();

    [GeneratedRegex("`(\\{\"[^`]*\\})`")]
    private static partial Regex InlineJson();
}
