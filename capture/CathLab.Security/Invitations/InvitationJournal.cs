using CathLab.Security.Storage;
using Microsoft.Data.Sqlite;

namespace CathLab.Security.Invitations;

/// <summary>The invitations in SQLite (WAL, synchronous=FULL), so they outlive a station restart: one row each, with the
/// SHA-256 of its code and of the session grant it was redeemed for (never the secrets themselves). One connection,
/// serialised by a lock.</summary>
public sealed class InvitationJournal : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly Lock _gate = new();

    private InvitationJournal(SqliteConnection connection) => _connection = connection;

    /// <param name="path">The file; null: an in-memory database that ends with this object.</param>
    public static InvitationJournal Open(string? path) => new(DurableSqlite.Open(path, """
        CREATE TABLE IF NOT EXISTS invitations (
            id TEXT PRIMARY KEY, exam_id TEXT NOT NULL, role INTEGER NOT NULL, invitee TEXT NOT NULL, invited_by TEXT NOT NULL,
            created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, code_sha256 TEXT NOT NULL UNIQUE, state INTEGER NOT NULL,
            accepted_at INTEGER, accepted_by TEXT, grant_sha256 TEXT, revoked_at INTEGER, revoked_by TEXT);
        """));

    public void Add(Invitation invitation, string codeSha256) => Execute("""
        INSERT INTO invitations (id, exam_id, role, invitee, invited_by, created_at, expires_at, code_sha256, state)
        VALUES ($id, $exam, $role, $invitee, $by, $created, $expires, $code, $state)
        """, ("$id", invitation.Id), ("$exam", invitation.ExamId), ("$role", (int)invitation.Role), ("$invitee", invitation.Invitee),
        ("$by", invitation.InvitedBy), ("$created", invitation.CreatedAt.ToUnixTimeMilliseconds()), ("$expires", invitation.ExpiresAt.ToUnixTimeMilliseconds()),
        ("$code", codeSha256), ("$state", (int)invitation.Stored));

    public void Accepted(Invitation invitation, string grantSha256) => Execute(
        "UPDATE invitations SET state = $state, accepted_at = $at, accepted_by = $by, grant_sha256 = $grant WHERE id = $id",
        ("$id", invitation.Id), ("$state", (int)InvitationState.Accepted), ("$at", invitation.AcceptedAt!.Value.ToUnixTimeMilliseconds()),
        ("$by", invitation.AcceptedBy), ("$grant", grantSha256));

    public void Revoked(Invitation invitation) => Execute(
        "UPDATE invitations SET state = $state, revoked_at = $at, revoked_by = $by, grant_sha256 = NULL WHERE id = $id",
        ("$id", invitation.Id), ("$state", (int)InvitationState.Revoked), ("$at", invitation.RevokedAt!.Value.ToUnixTimeMilliseconds()), ("$by", invitation.RevokedBy));

    /// <summary>Every invitation with the digests of its code and of its live grant (null when none), oldest first.</summary>
    public IReadOnlyList<(Invitation Invitation, string CodeSha256, string? GrantSha256)> All()
    {
        lock (_gate)
        {
            using var select = _connection.CreateCommand();
            select.CommandText = """
                SELECT id, exam_id, role, invitee, invited_by, created_at, expires_at, code_sha256, state, accepted_at, accepted_by, grant_sha256, revoked_at, revoked_by
                FROM invitations ORDER BY created_at, id
                """;
            using var rows = select.ExecuteReader();
            var all = new List<(Invitation, string, string?)>();
            while (rows.Read())
            {
                var invitation = new Invitation(rows.GetString(0), rows.GetString(1), (InvitationRole)rows.GetInt32(2), rows.GetString(3), rows.GetString(4),
                    TimeOf(rows.GetInt64(5)), TimeOf(rows.GetInt64(6)))
                {
                    Stored = (InvitationState)rows.GetInt32(8),
                    AcceptedAt = rows.IsDBNull(9) ? null : TimeOf(rows.GetInt64(9)),
                    AcceptedBy = rows.IsDBNull(10) ? null : rows.GetString(10),
                    RevokedAt = rows.IsDBNull(12) ? null : TimeOf(rows.GetInt64(12)),
                    RevokedBy = rows.IsDBNull(13) ? null : rows.GetString(13),
                };
                all.Add((invitation, rows.GetString(7), rows.IsDBNull(11) ? null : rows.GetString(11)));
            }
            return all;
        }
    }

    public void Dispose()
    {
        lock (_gate) _connection.Dispose();
    }

    private static DateTimeOffset TimeOf(long unixMilliseconds) => DateTimeOffset.FromUnixTimeMilliseconds(unixMilliseconds);

    private void Execute(string sql, params (string Name, object? Value)[] parameters)
    {
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = sql;
            foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
            command.ExecuteNonQuery();
        }
    }
}
