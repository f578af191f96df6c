using System.Security.Cryptography;
using System.Text;
using CathLab.Security.Access;
using CathLab.Security.Audit;
using CathLab.Security.Sessions;

namespace CathLab.Security.Invitations;

/// <summary>Invitations to one exam: issued by a technician (or a signed-in physician who may watch that exam), listed,
/// revoked at once (the invitee's open streams end), and redeemed by the invitee's sign-in for a session grant. Codes
/// and grants are 256-bit random secrets kept only as SHA-256 digests; every step is audited.</summary>
public sealed class InvitationDesk : IDisposable
{
    public const string GrantPrefix = "cathlab-grant.";

    private readonly InvitationJournal _journal;
    private readonly InvitationPolicy _policy;
    private readonly SessionLifetimes _sessions;
    private readonly IAuditLog _audit;
    private readonly TimeProvider _clock;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Invitation> _byId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _idByCode = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _idByGrant = new(StringComparer.Ordinal);

    public InvitationDesk(InvitationJournal journal, InvitationPolicy policy, SessionLifetimes sessions, IAuditLog audit, TimeProvider clock)
    {
        (_journal, _policy, _sessions, _audit, _clock) = (journal, policy, sessions, audit, clock);
        foreach (var (invitation, code, grant) in journal.All())
        {
            _byId[invitation.Id] = invitation;
            _idByCode[code] = invitation.Id;
            if (grant is not null) _idByGrant[grant] = invitation.Id;
        }
    }

    public InvitationPolicy Policy => _policy;

    /// <exception cref="UnauthorizedAccessException">the caller may not invite to that exam</exception>
    /// <exception cref="ArgumentException">no exam, no invitee, or a time limit out of bounds</exception>
    public IssuedInvitation Invite(CallerIdentity by, string examId, string invitee, InvitationRole role, TimeSpan lifetime)
    {
        if (string.IsNullOrWhiteSpace(examId)) throw new ArgumentException("an invitation names its exam", nameof(examId));
        if (string.IsNullOrWhiteSpace(invitee) || invitee.Length > 256 || invitee.Any(char.IsControl))
            throw new ArgumentException("an invitation names its invitee: an identity (sub) or an e-mail address, at most 256 characters", nameof(invitee));
        if (!Enum.IsDefined(role)) throw new ArgumentException($"unknown invitation role {role}", nameof(role));
        if (lifetime <= TimeSpan.Zero || lifetime > _policy.MaxLifetime)
            throw new ArgumentException($"an invitation's time limit is more than 0 and at most {_policy.MaxLifetime.TotalMinutes:0} minutes", nameof(lifetime));
        var now = _clock.GetUtcNow();
        if (!MayInvite(by, examId))
        {
            Audit(now, by.Subject, "invitation-create", "PermissionDenied", examId, $"{by.Subject} may not invite to exam {examId}");
            throw new UnauthorizedAccessException($"{by.Subject} may not invite to exam {examId}: a technician, or a signed-in physician of that exam, invites");
        }
        string code = NewSecret();
        var invitation = new Invitation(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)), examId, role, invitee.Trim(), by.Subject, now, now + lifetime);
        lock (_gate)
        {
            _journal.Add(invitation, DigestOf(code));
            _byId[invitation.Id] = invitation;
            _idByCode[DigestOf(code)] = invitation.Id;
        }
        Audit(now, by.Subject, "invitation-create", "OK", examId,
            $"invitation {invitation.Id} for {invitation.Invitee} as {role.ToString().ToLowerInvariant()} until {invitation.ExpiresAt:u}");
        return new IssuedInvitation(invitation, code, _policy.LinkFor(code));
    }

    /// <summary>Every invitation (or those of one exam), newest first.</summary>
    public IReadOnlyList<Invitation> List(string? examId = null)
    {
        lock (_gate) return [.. _byId.Values.Where(i => examId is null || i.ExamId == examId).OrderByDescending(i => i.CreatedAt).ThenBy(i => i.Id)];
    }

    public DateTimeOffset Now => _clock.GetUtcNow();

    /// <summary>Revokes at once: the code and any grant are refused from now on and the invitee's open streams end.</summary>
    /// <exception cref="KeyNotFoundException">no such invitation</exception>
    public Invitation Revoke(CallerIdentity by, string id)
    {
        var now = _clock.GetUtcNow();
        Invitation revoked;
        lock (_gate)
        {
            if (!_byId.TryGetValue(id, out var invitation)) throw new KeyNotFoundException($"no invitation {id}");
            if (invitation.Stored == InvitationState.Revoked) return invitation;
            revoked = invitation with { Stored = InvitationState.Revoked, RevokedAt = now, RevokedBy = by.Subject };
            _journal.Revoked(revoked);
            _byId[id] = revoked;
            foreach (var grant in _idByGrant.Where(g => g.Value == id).Select(g => g.Key).ToList()) _idByGrant.Remove(grant);
        }
        _sessions.EndInvitation(id, SessionLifetimes.Revoked);
        Audit(now, by.Subject, "invitation-revoke", "OK", revoked.ExamId, $"invitation {id} for {revoked.Invitee}{(revoked.AcceptedBy is { } who ? $", accepted by {who}" : "")}");
        return revoked;
    }

    /// <summary>The invitee, signed in (<paramref name="signedIn"/>), redeems the code from its link. Refused: a code not
    /// issued here, revoked, expired, an identity other than the invited one, or one already redeemed by someone
    /// else. The invitee redeeming its own accepted invitation again (a new sign-in) gets a new grant; the old one ends.</summary>
    public Redemption Redeem(string? code, CallerIdentity signedIn, string? peer = null)
    {
        var now = _clock.GetUtcNow();
        string? refusal;
        Invitation? invitation = null;
        string grant = "";
        lock (_gate)
        {
            refusal = code is null || !_idByCode.TryGetValue(DigestOf(code), out var id) ? "invitation not recognised"
                : RefusalFor(invitation = _byId[id], signedIn, now);
            if (refusal is null)
            {
                grant = NewSecret(GrantPrefix);
                foreach (var old in _idByGrant.Where(g => g.Value == invitation!.Id).Select(g => g.Key).ToList()) _idByGrant.Remove(old);
                invitation = invitation! with { Stored = InvitationState.Accepted, AcceptedAt = invitation.AcceptedAt ?? now, AcceptedBy = signedIn.Subject };
                _journal.Accepted(invitation, DigestOf(grant));
                _byId[invitation.Id] = invitation;
                _idByGrant[DigestOf(grant)] = invitation.Id;
            }
        }
        if (refusal is not null)
        {
            Audit(now, signedIn.Subject, "invitation-redeem", "PermissionDenied", invitation?.ExamId, refusal, peer);
            return new Redemption(null, null, invitation, refusal);
        }
        _sessions.EndInvitation(invitation!.Id, "invitation redeemed again");
        Audit(now, signedIn.Subject, "invitation-redeem", "OK", invitation.ExamId, $"invitation {invitation.Id} as {invitation.Role.ToString().ToLowerInvariant()} until {invitation.ExpiresAt:u}", peer);
        return new Redemption(grant, GrantIdentity(invitation, DigestOf(grant), signedIn.Email), invitation, "");
    }

    /// <summary>A session grant's identity; null when <paramref name="presented"/> is not shaped like a grant.</summary>
    public TokenCheck? ResolveGrant(string presented)
    {
        if (!presented.StartsWith(GrantPrefix, StringComparison.Ordinal)) return null;
        string digest = DigestOf(presented);
        lock (_gate)
        {
            if (!_idByGrant.TryGetValue(digest, out var id)) return TokenCheck.Refused("session grant not recognised (revoked, replaced or never issued)");
            var invitation = _byId[id];
            return invitation.StateAt(_clock.GetUtcNow()) switch
            {
                InvitationState.Accepted => TokenCheck.Accepted(GrantIdentity(invitation, digest, null)),
                InvitationState.Expired => TokenCheck.Refused(SessionLifetimes.Expired),
                _ => TokenCheck.Refused(SessionLifetimes.Revoked),
            };
        }
    }

    public void Dispose() => _journal.Dispose();

    private static string? RefusalFor(Invitation invitation, CallerIdentity signedIn, DateTimeOffset now)
    {
        if (signedIn.Invitation is not null) return "a session grant cannot redeem an invitation: sign in as yourself";
        var state = invitation.StateAt(now);
        if (state == InvitationState.Revoked) return "invitation revoked";
        if (state == InvitationState.Expired) return "invitation expired";
        bool invited = invitation.InvitesAddress
            ? signedIn.Email is { } email && string.Equals(email, invitation.Invitee, StringComparison.OrdinalIgnoreCase)
            : signedIn.Subject == invitation.Invitee;
        if (!invited) return $"the invitation is for another person: signed in as {signedIn.Subject}{(signedIn.Email is { } e ? $" ({e})" : "")}";
        if (state == InvitationState.Accepted && invitation.AcceptedBy != signedIn.Subject) return "invitation already redeemed";
        return null;
    }

    private static bool MayInvite(CallerIdentity by, string examId) =>
        by.Has(StationRole.Technician) || (by.Invitation is null && by.Session is not null && by.Exams.Contains(examId));

    private static CallerIdentity GrantIdentity(Invitation invitation, string digest, string? email) =>
        new(invitation.AcceptedBy!, StationRole.Observer, [invitation.ExamId])
        {
            Email = email,
            ExpiresAt = invitation.ExpiresAt,
            Session = digest,
            Invitation = invitation.Id,
            Consultant = invitation.Role == InvitationRole.Consultant,
        };

    private static string NewSecret(string prefix = "") => prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string DigestOf(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private void Audit(DateTimeOffset now, string subject, string action, string outcome, string? examId, string detail, string? peer = null) =>
        _audit.Record(new AuditRecord(now, subject, action, outcome, examId, Peer: peer, Detail: detail));
}
