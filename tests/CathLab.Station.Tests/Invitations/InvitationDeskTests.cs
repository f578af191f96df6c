using CathLab.Security.Access;
using CathLab.Security.Audit;
using CathLab.Security.Invitations;
using CathLab.Security.Sessions;
using CathLab.Testing;
using Microsoft.Extensions.Time.Testing;

namespace CathLab.Station.Tests.Invitations;

/// <summary>An invitation's life on a fake clock, kept in a real SQLite file: single use, the invited person only, its
/// exam only, refused once expired or revoked, and the same after the station restarts.</summary>
public sealed class InvitationDeskTests : IDisposable
{
    private static readonly CallerIdentity Technician = new("tech-on-duty", StationRole.Technician, ["*"]);
    private static readonly CallerIdentity Nina = new("nobody-nina", StationRole.Observer, []) { Email = "Nobody-Nina@hospital.test", Session = "nina-sign-in" };
    private static readonly CallerIdentity Bruno = new("dr-bruno", StationRole.Observer, ["EX-1"]) { Email = "dr-bruno@hospital.test", Session = "bruno-sign-in" };

    private readonly TempDirectory _folder = new();
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero));
    private readonly JsonLinesAuditLog _audit = new(null);
    private InvitationDesk _desk;
    private SessionLifetimes _sessions;

    public InvitationDeskTests()
    {
        _sessions = new SessionLifetimes(_clock, TimeSpan.Zero, _audit);
        _desk = Open();
    }

    private string JournalPath => Path.Combine(_folder.Path, "invitations.db");

    private InvitationDesk Open() =>
        new(InvitationJournal.Open(JournalPath), new InvitationPolicy { MaxLifetime = TimeSpan.FromHours(2), LinkBase = "https://station.test/" }, _sessions, _audit, _clock);

    [Fact]
    public void A_code_is_redeemed_once_by_the_invited_address_and_refused_to_anyone_after()
    {
        var issued = _desk.Invite(Technician, "EX-7", "nobody-nina@hospital.test", InvitationRole.Observer, TimeSpan.FromMinutes(30));
        Assert.Equal("https://station.test/#invite=" + issued.Code, issued.Link);

        var first = _desk.Redeem(issued.Code, Nina);
        Assert.True(first.Accepted, first.Refusal);
        Assert.Equal(InvitationState.Accepted, _desk.List().Single().StateAt(_clock.GetUtcNow()));
        Assert.Equal("nobody-nina", _desk.List().Single().AcceptedBy);

        var replayed = _desk.Redeem(issued.Code, Bruno with { Email = "nobody-nina@hospital.test" });
        Assert.False(replayed.Accepted);
        Assert.Equal("invitation already redeemed", replayed.Refusal);
        Assert.Contains(_audit.Recent(), r => r.Action == "invitation-redeem" && r.Outcome == "PermissionDenied" && r.Detail == "invitation already redeemed");
    }

    [Fact]
    public void Another_identity_than_the_invited_one_is_refused()
    {
        var byAddress = _desk.Invite(Technician, "EX-7", "nobody-nina@hospital.test", InvitationRole.Observer, TimeSpan.FromMinutes(30));
        var bySubject = _desk.Invite(Technician, "EX-7", "nobody-nina", InvitationRole.Observer, TimeSpan.FromMinutes(30));

        Assert.StartsWith("the invitation is for another person", _desk.Redeem(byAddress.Code, Bruno).Refusal);
        Assert.StartsWith("the invitation is for another person", _desk.Redeem(byAddress.Code, Nina with { Email = null }).Refusal);
        Assert.StartsWith("the invitation is for another person", _desk.Redeem(bySubject.Code, Bruno).Refusal);
        Assert.True(_desk.Redeem(bySubject.Code, Nina).Accepted);
        Assert.Equal("invitation not recognised", _desk.Redeem(byAddress.Code[..^2] + "xx", Nina).Refusal);
    }

    [Fact]
    public void The_grant_watches_its_exam_only_and_ends_at_the_time_limit()
    {
        var issued = _desk.Invite(Technician, "EX-7", "nobody-nina", InvitationRole.Consultant, TimeSpan.FromMinutes(30));
        var grant = _desk.Redeem(issued.Code, Nina).Grant!;

        var caller = _desk.ResolveGrant(grant)!.Value.Caller!;
        Assert.True(caller.MayWatch("EX-7"));
        Assert.False(caller.MayWatch("EX-8"));
        Assert.False(caller.Has(StationRole.Technician));
        Assert.True(caller.Consultant);
        Assert.Equal(issued.Invitation.Id, caller.Invitation);

        _clock.Advance(TimeSpan.FromMinutes(30));
        Assert.Equal(SessionLifetimes.Expired, _desk.ResolveGrant(grant)!.Value.Refusal);
    }

    [Fact]
    public void An_expired_invitation_is_refused()
    {
        var issued = _desk.Invite(Technician, "EX-7", "nobody-nina", InvitationRole.Observer, TimeSpan.FromMinutes(1));
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(InvitationState.Expired, _desk.List().Single().StateAt(_clock.GetUtcNow()));
        Assert.Equal("invitation expired", _desk.Redeem(issued.Code, Nina).Refusal);
    }

    [Fact]
    public void A_revoked_invitation_refuses_its_code_and_its_grant_and_ends_the_invitee_s_streams()
    {
        var issued = _desk.Invite(Technician, "EX-7", "nobody-nina", InvitationRole.Observer, TimeSpan.FromMinutes(30));
        var grant = _desk.Redeem(issued.Code, Nina).Grant!;
        var invitee = _desk.ResolveGrant(grant)!.Value.Caller!;
        using var watch = _sessions.Open(invitee);
        using var otherWatch = _sessions.Open(Bruno);

        _desk.Revoke(Technician, issued.Invitation.Id);

        Assert.True(watch.Ended.IsCancellationRequested);
        Assert.Equal(SessionLifetimes.Revoked, watch.Reason);
        Assert.False(otherWatch.Ended.IsCancellationRequested);
        Assert.False(_desk.ResolveGrant(grant)!.Value.Caller is not null);
        Assert.Equal("invitation revoked", _desk.Redeem(issued.Code, Nina).Refusal);
        Assert.Contains(_audit.Recent(), r => r.Action == "invitation-revoke" && r.Subject == "tech-on-duty");
        Assert.Contains(_audit.Recent(), r => r.Action == "session-end" && r.Detail!.StartsWith(SessionLifetimes.Revoked, StringComparison.Ordinal));
    }

    [Fact]
    public void Only_a_technician_or_a_signed_in_physician_of_that_exam_invites_within_the_time_bound()
    {
        Assert.Throws<UnauthorizedAccessException>(() => _desk.Invite(Bruno, "EX-7", "x@hospital.test", InvitationRole.Observer, TimeSpan.FromMinutes(5)));
        Assert.Throws<UnauthorizedAccessException>(() => _desk.Invite(Bruno with { Session = null }, "EX-1", "x@hospital.test", InvitationRole.Observer, TimeSpan.FromMinutes(5)));
        Assert.Equal("dr-bruno", _desk.Invite(Bruno, "EX-1", "x@hospital.test", InvitationRole.Observer, TimeSpan.FromMinutes(5)).Invitation.InvitedBy);
        Assert.Throws<ArgumentException>(() => _desk.Invite(Technician, "EX-7", "x@hospital.test", InvitationRole.Observer, TimeSpan.FromHours(3)));
        var grant = _desk.Redeem(_desk.Invite(Technician, "EX-7", "nobody-nina", InvitationRole.Consultant, TimeSpan.FromMinutes(5)).Code, Nina).Grant!;
        Assert.Throws<UnauthorizedAccessException>(() => _desk.Invite(_desk.ResolveGrant(grant)!.Value.Caller!, "EX-7", "y@hospital.test", InvitationRole.Observer, TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public void A_station_restart_keeps_invitations_states_and_grants()
    {
        var accepted = _desk.Invite(Technician, "EX-7", "nobody-nina", InvitationRole.Observer, TimeSpan.FromMinutes(30));
        var pending = _desk.Invite(Technician, "EX-7", "dr-bruno@hospital.test", InvitationRole.Consultant, TimeSpan.FromMinutes(30));
        var revoked = _desk.Invite(Technician, "EX-7", "dr-bruno", InvitationRole.Observer, TimeSpan.FromMinutes(30));
        var grant = _desk.Redeem(accepted.Code, Nina).Grant!;
        _desk.Revoke(Technician, revoked.Invitation.Id);
        _desk.Dispose();

        _sessions = new SessionLifetimes(_clock, TimeSpan.Zero, _audit);
        _desk = Open();

        Assert.Equal(3, _desk.List().Count);
        Assert.Equal("nobody-nina", _desk.ResolveGrant(grant)!.Value.Caller!.Subject);
        Assert.True(_desk.Redeem(pending.Code, Bruno).Accepted);
        Assert.Equal("invitation revoked", _desk.Redeem(revoked.Code, Bruno).Refusal);
        var again = _desk.Redeem(accepted.Code, Nina);
        Assert.True(again.Accepted, again.Refusal);
        Assert.Null(_desk.ResolveGrant(grant)!.Value.Caller);
        string stored = string.Concat(_folder.Files.Select(f => File.ReadAllText(f, System.Text.Encoding.Latin1)));
        Assert.DoesNotContain(accepted.Code, stored);
        Assert.DoesNotContain(again.Grant!, stored);
    }

    public void Dispose()
    {
        _desk.Dispose();
        _audit.Dispose();
        _folder.Dispose();
    }
}
