using System.Collections.Concurrent;
using System.Text.Json;
using CathLab.Security.Access;
using CathLab.Security.Audit;
using Microsoft.Extensions.Time.Testing;

namespace CathLab.Discussion.Tests;

/// <summary>A coordinator over a journal in a temporary folder, runs of known length, a clock the test moves, and
/// peers that keep what they were sent.</summary>
internal sealed class DiscussionRig : IDisposable
{
    public const string Exam = "EXAM-1";
    public static readonly CallerIdentity Technician = new("tech-on-duty", StationRole.Technician, ["*"]);
    public static readonly CallerIdentity Remote = new("dr-remote", StationRole.Observer, ["*"]);
    public static readonly CallerIdentity Fellow = new("dr-fellow", StationRole.Observer, ["*"]);

    private readonly string _folder = Directory.CreateTempSubdirectory("cathlab-discussion-").FullName;

    public DiscussionRig() => Coordinator = Open();

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 12, 7, 8, 0, 0, TimeSpan.Zero));
    public Runs RunFrames { get; } = new() { ["EXAM-1/run-1"] = (40, true), ["EXAM-1/run-2"] = (12, true) };
    public KeptAudit Audit { get; } = new();
    public KeptCaptures Captures { get; } = new();
    public DiscussionCoordinator Coordinator { get; private set; }

    public DiscussionMember Join(CallerIdentity caller, string? name = null) => Coordinator.Join(caller, name, new KeptPeer());

    /// <summary>The coordinator closed and made again from its journal, as after a station restart.</summary>
    public void Restart()
    {
        Coordinator.Dispose();
        Coordinator = Open();
    }

    private DiscussionCoordinator Open() => new(Exam, DiscussionJournal.Open(Path.Combine(_folder, "exam.sqlite")), RunFrames, Audit, Clock, Captures);

    public void Dispose()
    {
        Coordinator.Dispose();
        try { Directory.Delete(_folder, true); } catch (IOException) { }
    }

    public sealed class Runs : Dictionary<string, (int, bool)>, IRunFrameCounts
    {
        public (int Frames, bool Final)? FramesOf(string examId, string runId) => examId == Exam && TryGetValue(runId, out var r) ? r : null;
    }

    /// <summary>The host's side of a capture: keeps each request, answers a new UID, or refuses while <see cref="RefuseWith"/> is set.</summary>
    public sealed class KeptCaptures : IFrameCapture
    {
        public List<CaptureRequest> Requests { get; } = [];
        public string? RefuseWith { get; set; }

        public string Capture(CaptureRequest request)
        {
            if (RefuseWith is { } reason) throw new CaptureRefusedException(reason);
            Requests.Add(request);
            return $"2.25.{Requests.Count}";
        }
    }

    public sealed class KeptAudit : IAuditLog
    {
        public ConcurrentQueue<AuditRecord> Records { get; } = new();

        public void Record(AuditRecord record) => Records.Enqueue(record);
    }
}

/// <summary>A peer that keeps every message and every pointer offered to it (the coalescing is the socket's).</summary>
internal sealed class KeptPeer : IDiscussionPeer
{
    public List<string> Messages { get; } = [];
    public Dictionary<string, string> LatestPointer { get; } = [];

    public void Post(string message) => Messages.Add(message);

    public void Point(string fromParticipant, string message) => LatestPointer[fromParticipant] = message;

    public JsonElement Last(string type) => Of(type).Last();

    public IEnumerable<JsonElement> Of(string type) =>
        Messages.Select(m => JsonDocument.Parse(m).RootElement).Where(e => e.GetProperty("type").GetString() == type);
}

internal static class MemberExtensions
{
    public static KeptPeer Kept(this DiscussionMember member) => (KeptPeer)member.Peer;

    public static void Send(this DiscussionRig rig, DiscussionMember member, object message) =>
        rig.Coordinator.Handle(member, JsonSerializer.Serialize(message));
}
