using CathLab.Security.Access;
using CathLab.Security.Audit;
using CathLab.Security.Sessions;
using Microsoft.Extensions.Time.Testing;

namespace CathLab.Station.Tests.Invitations;

/// <summary>A person's session on a fake clock: idle ends it (and its open streams) unless the client gives input; the
/// token's expiry ends it; the same token is refused afterwards; a machine's static token never ends.</summary>
public sealed class SessionLifetimesTests : IDisposable
{
    private static readonly TimeSpan Idle = TimeSpan.FromMinutes(15);
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero));
    private readonly JsonLinesAuditLog _audit = new(null);
    private readonly SessionLifetimes _sessions;

    public SessionLifetimesTests() => _sessions = new SessionLifetimes(_clock, Idle, _audit);

    private CallerIdentity Person(TimeSpan lifetime) =>
        new("dr-bruno", StationRole.Observer, ["EX-1"]) { Session = "bruno-sign-in", ExpiresAt = _clock.GetUtcNow() + lifetime };

    [Fact]
    public void An_idle_session_ends_its_open_streams_and_its_token_is_refused_after()
    {
        var bruno = Person(TimeSpan.FromHours(1));
        Assert.Null(_sessions.Admit(bruno));
        using var watch = _sessions.Open(bruno);
        using var discussion = _sessions.Open(bruno);

        _clock.Advance(Idle - TimeSpan.FromSeconds(1));
        Assert.False(watch.Ended.IsCancellationRequested);
        _clock.Advance(TimeSpan.FromSeconds(1));

        Assert.True(watch.Ended.IsCancellationRequested);
        Assert.True(discussion.Ended.IsCancellationRequested);
        Assert.Equal(SessionLifetimes.Expired, watch.Reason);
        Assert.Equal(SessionLifetimes.Expired, _sessions.Admit(bruno));
        Assert.Equal(0, _sessions.OpenStreams);
        Assert.Contains(_audit.Recent(), r => r.Action == "session-end" && r.Subject == "dr-bruno" && r.Detail!.Contains("2 open stream(s)", StringComparison.Ordinal));
    }

    [Fact]
    public void Input_from_the_client_keeps_the_session()
    {
        var bruno = Person(TimeSpan.FromHours(1));
        using var watch = _sessions.Open(bruno);
        for (int i = 0; i < 4; i++)
        {
            _clock.Advance(Idle - TimeSpan.FromMinutes(1));
            _sessions.Touch(bruno);
        }
        Assert.False(watch.Ended.IsCancellationRequested);
        Assert.Null(_sessions.Admit(bruno));
        _clock.Advance(Idle);
        Assert.True(watch.Ended.IsCancellationRequested);
    }

    [Fact]
    public void The_token_s_expiry_ends_its_streams_however_busy_the_client()
    {
        var bruno = Person(TimeSpan.FromMinutes(5));
        using var watch = _sessions.Open(bruno);
        _clock.Advance(TimeSpan.FromMinutes(4));
        _sessions.Touch(bruno);
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(SessionLifetimes.Expired, watch.Reason);
        Assert.Equal(SessionLifetimes.Expired, _sessions.Admit(bruno));
    }

    [Fact]
    public void A_machine_s_static_token_never_ends_and_an_invitation_s_end_touches_only_its_own_sessions()
    {
        var relay = new CallerIdentity("relay", StationRole.Observer, ["*"]);
        var invitee = new CallerIdentity("nobody-nina", StationRole.Observer, ["EX-7"]) { Session = "grant", Invitation = "inv-1", ExpiresAt = _clock.GetUtcNow().AddHours(1) };
        var bruno = Person(TimeSpan.FromHours(1));
        using var relayWatch = _sessions.Open(relay);
        using var inviteeWatch = _sessions.Open(invitee);
        using var brunoWatch = _sessions.Open(bruno);

        _sessions.EndInvitation("inv-1", SessionLifetimes.Revoked);
        Assert.Equal(SessionLifetimes.Revoked, inviteeWatch.Reason);
        Assert.Equal(SessionLifetimes.Revoked, _sessions.Admit(invitee));
        Assert.False(brunoWatch.Ended.IsCancellationRequested);

        _clock.Advance(TimeSpan.FromDays(2));
        Assert.Same(StreamLease.Unbounded, relayWatch);
        Assert.Null(_sessions.Admit(relay));
        Assert.True(brunoWatch.Ended.IsCancellationRequested);
    }

    public void Dispose() => _audit.Dispose();
}
