using CathLab.Security.Access;
using CathLab.Security.Audit;

namespace CathLab.Security.Sessions;

/// <summary>How long a person's sign-in lasts: it ends when its token or grant expires, after <c>idle</c> without input
/// from that client (any call or message it sends), or when its invitation is revoked; and then every stream it has
/// open ends with the reason, and the same token is refused from then on. A machine's static token (no
/// <see cref="CallerIdentity.Session"/>) never ends by itself. One timer per live session, on the station's clock.</summary>
public sealed class SessionLifetimes(TimeProvider clock, TimeSpan idle, IAuditLog audit)
{
    public const string Expired = "session expired";
    public const string Revoked = "invitation revoked";

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Live> _live = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Reason, DateTimeOffset Forget)> _ended = new(StringComparer.Ordinal);

    /// <summary>Why this caller's session is over (null while it lasts); a call that carries it counts as input.</summary>
    public string? Admit(CallerIdentity caller)
    {
        if (caller.Session is not { } key) return null;
        var now = clock.GetUtcNow();
        lock (_gate)
        {
            if (_ended.TryGetValue(key, out var ended)) return ended.Reason;
            if (caller.ExpiresAt is { } expires && now >= expires) return Expired;
            if (_live.TryGetValue(key, out var live))
            {
                if (now >= DeadlineOf(live)) return EndLocked(live, Expired, now);
                live.LastInput = now;
                return null;
            }
            StartLocked(caller, key, now);
            return null;
        }
    }

    /// <summary>Input from the client of an open stream (a message it sent).</summary>
    public void Touch(CallerIdentity caller)
    {
        if (caller.Session is not { } key) return;
        lock (_gate)
        {
            if (_live.TryGetValue(key, out var live)) live.LastInput = clock.GetUtcNow();
        }
    }

    /// <summary>A stream of this caller opens: its lease ends with the session. A session already over gives a lease
    /// that has ended.</summary>
    public StreamLease Open(CallerIdentity caller)
    {
        if (caller.Session is not { } key) return StreamLease.Unbounded;
        lock (_gate)
        {
            var now = clock.GetUtcNow();
            if (!_live.TryGetValue(key, out var live))
            {
                if (_ended.TryGetValue(key, out var ended)) return EndedLease(ended.Reason);
                live = StartLocked(caller, key, now);
            }
            var lease = new StreamLease(Release);
            live.Streams.Add(lease);
            return lease;
        }
    }

    /// <summary>Ends every session that came from this invitation (it was revoked, or redeemed again by its invitee).</summary>
    public void EndInvitation(string invitationId, string reason)
    {
        var now = clock.GetUtcNow();
        List<StreamLease> streams = [];
        lock (_gate)
        {
            foreach (var live in _live.Values.Where(l => l.Caller.Invitation == invitationId).ToList())
            {
                streams.AddRange(live.Streams);
                EndLocked(live, reason, now, endStreams: false);
            }
        }
        foreach (var lease in streams) lease.End(reason);
    }

    public int OpenStreams
    {
        get
        {
            lock (_gate) return _live.Values.Sum(l => l.Streams.Count);
        }
    }

    private Live StartLocked(CallerIdentity caller, string key, DateTimeOffset now)
    {
        var live = new Live(caller, key) { LastInput = now };
        _live[key] = live;
        live.Timer = clock.CreateTimer(Check, live, Due(live, now), Timeout.InfiniteTimeSpan);
        return live;
    }

    private void Check(object? state)
    {
        var live = (Live)state!;
        var now = clock.GetUtcNow();
        StreamLease[] streams;
        lock (_gate)
        {
            if (live.Over) return;
            if (now < DeadlineOf(live))
            {
                live.Timer?.Change(Due(live, now), Timeout.InfiniteTimeSpan);
                return;
            }
            streams = [.. live.Streams];
            EndLocked(live, Expired, now, endStreams: false);
        }
        foreach (var lease in streams) lease.End(Expired);
    }

    private string EndLocked(Live live, string reason, DateTimeOffset now, bool endStreams = true)
    {
        live.Over = true;
        live.Timer?.Dispose();
        _live.Remove(live.Key);
        foreach (var old in _ended.Where(e => e.Value.Forget <= now).Select(e => e.Key).ToList()) _ended.Remove(old);
        _ended[live.Key] = (reason, live.Caller.ExpiresAt ?? now + TimeSpan.FromDays(1));
        audit.Record(new AuditRecord(now, live.Caller.Subject, "session-end", "Unauthenticated", live.Caller.Invitation is null ? null : live.Caller.Exams.FirstOrDefault(),
            live.Caller.Role.ToString(), Detail: $"{reason}{(live.Caller.Invitation is { } id ? $" (invitation {id})" : "")}: {live.Streams.Count} open stream(s) closed"));
        if (endStreams)
        {
            foreach (var lease in live.Streams) lease.End(reason);
        }
        return reason;
    }

    private DateTimeOffset DeadlineOf(Live live)
    {
        var deadline = live.Caller.ExpiresAt ?? DateTimeOffset.MaxValue;
        if (idle > TimeSpan.Zero && live.LastInput + idle < deadline) deadline = live.LastInput + idle;
        return deadline;
    }

    private TimeSpan Due(Live live, DateTimeOffset now)
    {
        var deadline = DeadlineOf(live);
        return deadline == DateTimeOffset.MaxValue ? Timeout.InfiniteTimeSpan : deadline <= now ? TimeSpan.Zero : deadline - now;
    }

    private void Release(StreamLease lease)
    {
        lock (_gate)
        {
            foreach (var live in _live.Values)
            {
                if (live.Streams.Remove(lease)) return;
            }
        }
    }

    private static StreamLease EndedLease(string reason)
    {
        var lease = new StreamLease(_ => { });
        lease.End(reason);
        return lease;
    }

    private sealed class Live(CallerIdentity caller, string key)
    {
        public CallerIdentity Caller { get; } = caller;
        public string Key { get; } = key;
        public List<StreamLease> Streams { get; } = [];
        public DateTimeOffset LastInput { get; set; }
        public ITimer? Timer { get; set; }
        public bool Over { get; set; }
    }
}
