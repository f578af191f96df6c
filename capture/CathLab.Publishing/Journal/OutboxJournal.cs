using CathLab.Dicom.Network.Services.StorageCommitment;
using Microsoft.Data.Sqlite;

namespace CathLab.Publishing.Journal;

/// <summary>
/// The outbox's durable state in SQLite (WAL, synchronous=FULL): objects and one delivery row per (object, destination).
/// Every state change is one transaction, so a process killed at any moment leaves each row in a state it had.
/// One connection, serialised by a lock: the statements are tiny next to a C-STORE, and SQLite allows one writer anyway.
/// </summary>
public sealed class OutboxJournal : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly TimeProvider _clock;
    private readonly Lock _gate = new();

    private OutboxJournal(SqliteConnection connection, TimeProvider clock)
    {
        _connection = connection;
        _clock = clock;
    }

    public static OutboxJournal Open(string path, TimeProvider? clock = null)
    {
        var full = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = full, Pooling = false }.ToString());
        try
        {
            connection.Open();
            Execute(connection, null, JournalSchema.Pragmas);
            using var transaction = connection.BeginTransaction();
            var version = Convert.ToInt32(Scalar(connection, transaction, "PRAGMA user_version"), System.Globalization.CultureInfo.InvariantCulture);
            if (version > JournalSchema.Version)
            {
                throw new InvalidOperationException($"outbox journal {full} has schema version {version}; this build knows up to {JournalSchema.Version}");
            }
            Execute(connection, transaction, JournalSchema.Create + $"PRAGMA user_version = {JournalSchema.Version};");
            transaction.Commit();
        }
        catch
        {
            connection.Dispose();
            throw;
        }
        return new OutboxJournal(connection, clock ?? TimeProvider.System);
    }

    private long Now => _clock.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>
    /// After a restart: sends that were in flight go back to Pending (re-sending the same SOP instance is harmless), and
    /// commitments that were awaited are asked again now. Returns how many of each.
    /// </summary>
    public (int Resend, int Rerequest) RecoverAfterRestart() => Write(tx =>
    {
        var resend = Transition(tx, DeliveryEvent.Restarted, "next_attempt_at = $now, updated_at = $now", "1", DeliveryState.Sending, ("$now", Now));
        var rerequest = Transition(tx, DeliveryEvent.Restarted, "next_attempt_at = $now", "1", DeliveryState.Sent, ("$now", Now));
        return (resend, rerequest);
    });

    /// <summary>Inserts the object and a Pending delivery per destination, or returns the existing id when the SOP
    /// instance is already in the journal (Add is idempotent by SOP instance UID).</summary>
    public (long Id, bool Added) Add(OutboxObject item, IEnumerable<string> destinations) => Write(tx =>
    {
        var existing = Scalar(tx, "SELECT id FROM objects WHERE sop_instance_uid = $uid", ("$uid", item.SopInstanceUid));
        if (existing is long id)
        {
            return (id, false);
        }
        var now = Now;
        id = (long)Scalar(tx, """
            INSERT INTO objects (path, sop_class_uid, sop_instance_uid, study_instance_uid, description, size, added_at)
            VALUES ($path, $class, $uid, $study, $description, $size, $now) RETURNING id
            """,
            ("$path", item.Path), ("$class", item.SopClassUid), ("$uid", item.SopInstanceUid), ("$study", item.StudyInstanceUid),
            ("$description", item.Description), ("$size", item.Size), ("$now", now))!;
        foreach (var destination in destinations)
        {
            InsertDelivery(tx, id, destination, now);
        }
        return (id, true);
    });

    public IReadOnlyList<DueDelivery> DueForSending(string destination, int limit) => Due(destination, DeliveryEvent.StoreStarted, limit);

    public IReadOnlyList<DueDelivery> DueForCommitment(string destination, int limit) => Due(destination, DeliveryEvent.CommitmentRequested, limit);

    public void MarkSending(long objectId, string destination) => Write(tx =>
        Move(tx, objectId, destination, DeliveryEvent.StoreStarted, ""));

    /// <summary>The PACS stored it: Sent, or Committed straight away for a destination without storage commitment.</summary>
    public void MarkSent(long objectId, string destination, bool final, string? warning) => Write(tx =>
        Move(tx, objectId, destination, final ? DeliveryEvent.StoredWithoutCommitment : DeliveryEvent.Stored,
            "attempts = attempts + 1, last_error = $x, permanent = 0, commitment_uid = NULL, next_attempt_at = $now", ("$x", warning)));

    /// <summary>A transient failure: back to Pending with one more attempt counted and the next one <paramref name="wait"/> away.</summary>
    public void MarkRetry(long objectId, string destination, string error, Func<int, TimeSpan> wait) => MarkRetry([objectId], destination, error, wait);

    public void MarkRetry(IEnumerable<long> objectIds, string destination, string error, Func<int, TimeSpan> wait) => Write(tx =>
    {
        foreach (var objectId in objectIds)
        {
            var attempts = 1 + Convert.ToInt32(Scalar(tx, "SELECT attempts FROM deliveries WHERE object_id = $id AND destination = $dest",
                ("$id", objectId), ("$dest", destination)) ?? 0, System.Globalization.CultureInfo.InvariantCulture);
            Move(tx, objectId, destination, DeliveryEvent.StoreDeferred, "attempts = attempts + 1, last_error = $x, permanent = 0, next_attempt_at = $next",
                ("$x", error), ("$next", Now + (long)wait(attempts).TotalMilliseconds));
        }
        return 0;
    });

    /// <summary>Will never work as asked: Failed, with the reason, until an operator retries.</summary>
    public void MarkFailed(long objectId, string destination, string error) => MarkFailed([objectId], destination, error);

    public void MarkFailed(IEnumerable<long> objectIds, string destination, string error) => Write(tx =>
    {
        foreach (var objectId in objectIds)
        {
            Move(tx, objectId, destination, DeliveryEvent.StoreRefused, "attempts = attempts + 1, last_error = $x, permanent = 1", ("$x", error));
        }
        return 0;
    });

    /// <summary>Records an N-ACTION that the PACS accepted: the rows wait for <paramref name="uid"/>'s report until
    /// <paramref name="timeout"/> has passed, then are asked again. Returns the transactions they waited on before.</summary>
    public IReadOnlyList<string> RecordCommitmentRequested(string destination, string uid, IReadOnlyList<DueDelivery> items, TimeSpan timeout) => Write(tx =>
    {
        Execute(tx, "INSERT INTO commitment_transactions (uid, destination, requested_at, objects) VALUES ($uid, $dest, $now, $n)",
            ("$uid", uid), ("$dest", destination), ("$now", Now), ("$n", items.Count));
        foreach (var item in items)
        {
            Transition(tx, DeliveryEvent.CommitmentRequested, "commitment_uid = $x, next_attempt_at = $next, updated_at = $now", RowIs,
                ("$x", uid), ("$next", Now + (long)timeout.TotalMilliseconds), ("$id", item.ObjectId), ("$dest", destination), ("$now", Now));
        }
        return (IReadOnlyList<string>)[.. items.Select(i => i.CommitmentUid).OfType<string>().Distinct()];
    });

    /// <summary>The N-ACTION itself failed: the rows stay Sent, say why, and are asked again after <paramref name="wait"/>.</summary>
    public void DeferCommitment(string destination, IReadOnlyList<DueDelivery> items, string error, TimeSpan wait) => Write(tx =>
    {
        foreach (var item in items)
        {
            Transition(tx, DeliveryEvent.CommitmentRequestFailed, "last_error = $x, next_attempt_at = $next, updated_at = $now", RowIs,
                ("$x", error), ("$next", Now + (long)wait.TotalMilliseconds), ("$id", item.ObjectId), ("$dest", destination), ("$now", Now));
        }
        return 0;
    });

    /// <summary>
    /// Applies an N-EVENT-REPORT. Committed instances become Committed even when the report answers an older transaction
    /// than the one the row waits on (a late report is still the PACS's word). Failed ones go back to Pending for a re-send,
    /// but only when the report answers the transaction the row waits on. Null when the transaction is not ours.
    /// </summary>
    public CommitmentOutcome? ApplyReport(CommitmentReport report, Func<int, TimeSpan> resendWait) => Write(tx =>
    {
        if (Scalar(tx, "SELECT destination FROM commitment_transactions WHERE uid = $uid", ("$uid", report.TransactionUid)) is not string destination)
        {
            return null;
        }
        var committed = 0;
        foreach (var reference in report.Committed)
        {
            committed += Transition(tx, DeliveryEvent.CommitmentConfirmed, "last_error = NULL, permanent = 0, updated_at = $now", BySopInstance,
                ("$dest", destination), ("$sop", reference.SopInstanceUid), ("$now", Now));
        }
        var failed = 0;
        foreach (var reference in report.Failed)
        {
            var row = Scalar(tx, """
                SELECT d.attempts FROM deliveries d JOIN objects o ON o.id = d.object_id
                WHERE d.destination = $dest AND d.state = $sent AND d.commitment_uid = $uid AND o.sop_instance_uid = $sop
                """, ("$dest", destination), ("$uid", report.TransactionUid), ("$sop", reference.SopInstanceUid), ("$sent", DeliveryStateColumn.Text(DeliveryTransitions.AllowedFrom(DeliveryEvent.CommitmentFailed).Single())));
            if (row is not long attempts)
            {
                continue;
            }
            var why = CommitmentReport.DescribeFailure(reference.FailureReason ?? 0x0110);
            failed += Transition(tx, DeliveryEvent.CommitmentFailed, "commitment_uid = NULL, last_error = $error, next_attempt_at = $next, updated_at = $now",
                BySopInstance + " AND commitment_uid = $uid", ("$dest", destination), ("$uid", report.TransactionUid), ("$sop", reference.SopInstanceUid), ("$now", Now),
                ("$error", $"storage commitment failed ({why}); will send again"), ("$next", Now + (long)resendWait((int)attempts).TotalMilliseconds));
        }
        Execute(tx, "DELETE FROM commitment_transactions WHERE uid = $uid", ("$uid", report.TransactionUid));
        return new CommitmentOutcome(destination, committed, failed);
    });

    /// <summary>Objects that every destination has committed and whose file the outbox still holds.</summary>
    public IReadOnlyList<(long Id, string Path)> CommittedEverywhere() => Read(() =>
    {
        using var command = Command(null, """
            SELECT o.id, o.path FROM objects o
            WHERE o.file_released_at IS NULL
              AND EXISTS (SELECT 1 FROM deliveries d WHERE d.object_id = o.id)
              AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.object_id = o.id AND d.state <> $committed)
            """, ("$committed", DeliveryStateColumn.Text(DeliveryState.Committed)));
        using var reader = command.ExecuteReader();
        var list = new List<(long, string)>();
        while (reader.Read())
        {
            list.Add((reader.GetInt64(0), reader.GetString(1)));
        }
        return list;
    });

    public void MarkFileReleased(long objectId) => Write(tx =>
        Execute(tx, "UPDATE objects SET file_released_at = $now WHERE id = $id", ("$now", Now), ("$id", objectId)));

    /// <summary>Makes every row of <paramref name="destination"/> that waits for a commitment report due now (the PACS
    /// may have lost the report); returns how many there were.</summary>
    public int ReaskOpenCommitments(string destination) => Write(tx => Transition(tx, DeliveryEvent.PeerAnsweredAgain, "next_attempt_at = $now",
        "destination = $dest AND commitment_uid IS NOT NULL AND next_attempt_at > $now", ("$dest", destination), ("$now", Now)));

    /// <summary>When the destination's next row falls due (null: nothing waits).</summary>
    public DateTimeOffset? NextDue(string destination) => Read(() =>
        Scalar(null, $"SELECT MIN(next_attempt_at) FROM deliveries WHERE destination = $dest AND state IN ({StateList(DeliveryTransitions.Scheduled, "$s")})",
            [("$dest", destination), .. StateParameters(DeliveryTransitions.Scheduled, "$s")]) is long at ? DateTimeOffset.FromUnixTimeMilliseconds(at) : (DateTimeOffset?)null);

    public IReadOnlyList<OutboxItem> Items(DeliveryState? state = null, string? destination = null, int limit = 1000) => Read(() =>
    {
        using var command = Command(null, """
            SELECT o.id, o.sop_instance_uid, o.description, d.destination, d.state, d.attempts, d.last_error, d.updated_at,
                   d.permanent, d.next_attempt_at, o.path, o.size, o.added_at, o.file_released_at
            FROM deliveries d JOIN objects o ON o.id = d.object_id
            WHERE ($state IS NULL OR d.state = $state) AND ($dest IS NULL OR d.destination = $dest)
            ORDER BY o.id DESC, d.destination LIMIT $limit
            """, ("$state", state is { } s ? DeliveryStateColumn.Text(s) : null), ("$dest", destination), ("$limit", limit));
        using var reader = command.ExecuteReader();
        var items = new List<OutboxItem>();
        while (reader.Read())
        {
            items.Add(new OutboxItem(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                DeliveryStateColumn.Parse(reader.GetString(4)), reader.GetInt32(5), reader.IsDBNull(6) ? null : reader.GetString(6),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(7)), reader.GetInt64(8) != 0,
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(9)), reader.GetString(10), reader.GetInt64(11),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(12)), !reader.IsDBNull(13)));
        }
        return items;
    });

    public OutboxCounts Counts() => Read(() =>
    {
        using var command = Command(null, "SELECT state, COUNT(*) FROM deliveries GROUP BY state");
        using var reader = command.ExecuteReader();
        var counts = new Dictionary<DeliveryState, int>();
        while (reader.Read())
        {
            counts[DeliveryStateColumn.Parse(reader.GetString(0))] = reader.GetInt32(1);
        }
        int Of(DeliveryState s) => counts.GetValueOrDefault(s);
        return new OutboxCounts(Of(DeliveryState.Pending), Of(DeliveryState.Sending), Of(DeliveryState.Sent), Of(DeliveryState.Committed), Of(DeliveryState.Failed));
    });

    /// <summary>Looks an object up by id: its path and SOP instance UID, or null.</summary>
    public (string Path, string SopInstanceUid)? FindObject(long objectId) => Read(() =>
    {
        using var command = Command(null, "SELECT path, sop_instance_uid FROM objects WHERE id = $id", ("$id", objectId));
        using var reader = command.ExecuteReader();
        return reader.Read() ? (reader.GetString(0), reader.GetString(1)) : ((string, string)?)null;
    });

    /// <summary>Makes the object's Failed or backed-off deliveries (one destination, or all) due now; a Sent one has its
    /// commitment asked again now. Returns how many rows changed.</summary>
    public int Retry(long objectId, string? destination) => Write(tx => Transition(tx, DeliveryEvent.RetryRequested,
        "permanent = 0, next_attempt_at = $now, updated_at = $now", "object_id = $id AND ($dest IS NULL OR destination = $dest)",
        ("$id", objectId), ("$dest", destination), ("$now", Now)));

    /// <summary>Adds a delivery of the object to another destination (a Failed one there is retried). The object's file is
    /// needed again, so it is no longer counted as released.</summary>
    public bool AddDelivery(long objectId, string destination) => Write(tx =>
    {
        var state = StateOf(tx, objectId, destination);
        if (state is null)
        {
            InsertDelivery(tx, objectId, destination, Now);
        }
        else if (state == DeliveryState.Failed)
        {
            Move(tx, objectId, destination, DeliveryEvent.RetryRequested, "permanent = 0, next_attempt_at = $now");
        }
        else
        {
            return false;
        }
        Execute(tx, "UPDATE objects SET file_released_at = NULL WHERE id = $id", ("$id", objectId));
        return true;
    });

    /// <summary>Gives up a Failed delivery so the object's file no longer waits for that destination.</summary>
    public bool Abandon(long objectId, string destination) => Write(tx =>
    {
        var abandonable = Enum.GetValues<DeliveryState>().Where(DeliveryTransitions.MayAbandon).ToArray();
        return Execute(tx, $"DELETE FROM deliveries WHERE object_id = $id AND destination = $dest AND state IN ({StateList(abandonable, "$s")})",
            [("$id", objectId), ("$dest", destination), .. StateParameters(abandonable, "$s")]) > 0;
    });

    public void Dispose()
    {
        lock (_gate)
        {
            _connection.Dispose();
        }
    }

    // The rows whose next action is `next`: in the state that event starts from.
    private IReadOnlyList<DueDelivery> Due(string destination, DeliveryEvent next, int limit) => Read(() =>
    {
        using var command = Command(null, """
            SELECT d.object_id, o.path, o.sop_class_uid, o.sop_instance_uid, d.attempts, d.commitment_uid
            FROM deliveries d JOIN objects o ON o.id = d.object_id
            WHERE d.destination = $dest AND d.state = $state AND d.next_attempt_at <= $now
            ORDER BY d.next_attempt_at, d.object_id LIMIT $limit
            """, ("$dest", destination), ("$state", DeliveryStateColumn.Text(DeliveryTransitions.AllowedFrom(next).Single())), ("$now", Now), ("$limit", limit));
        using var reader = command.ExecuteReader();
        var due = new List<DueDelivery>();
        while (reader.Read())
        {
            due.Add(new DueDelivery(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetInt32(4),
                reader.IsDBNull(5) ? null : reader.GetString(5)));
        }
        return due;
    });

    private void InsertDelivery(SqliteTransaction tx, long objectId, string destination, long now) =>
        Execute(tx, """
            INSERT INTO deliveries (object_id, destination, state, attempts, next_attempt_at, updated_at)
            VALUES ($id, $dest, $state, 0, $now, $now)
            """, ("$id", objectId), ("$dest", destination), ("$now", now), ("$state", DeliveryStateColumn.Text(DeliveryState.Pending)));

    private const string RowIs = "object_id = $id AND destination = $dest";
    private const string BySopInstance = "destination = $dest AND object_id = (SELECT id FROM objects WHERE sop_instance_uid = $sop)";

    private DeliveryState? StateOf(SqliteTransaction tx, long objectId, string destination) =>
        Scalar(tx, "SELECT state FROM deliveries WHERE object_id = $id AND destination = $dest", ("$id", objectId), ("$dest", destination)) is string text
            ? DeliveryStateColumn.Parse(text) : null;

    /// <summary>One row takes <paramref name="on"/>: its state comes from <see cref="DeliveryTransitions.Next"/>, which throws
    /// when the row's state does not allow the event. A row that is gone (abandoned) is left alone. $now and the row's keys
    /// ($id, $dest) are always bound; a statement binds only the names it uses.</summary>
    private int Move(SqliteTransaction tx, long objectId, string destination, DeliveryEvent on, string set, params (string Name, object? Value)[] parameters)
    {
        if (StateOf(tx, objectId, destination) is not { } from)
        {
            return 0;
        }
        var to = DeliveryTransitions.Next(from, on);
        return Execute(tx, $"UPDATE deliveries SET state = $to, {(set.Length > 0 ? set + ", " : "")}updated_at = $now WHERE object_id = $id AND destination = $dest",
            [.. parameters, ("$to", DeliveryStateColumn.Text(to)), ("$id", objectId), ("$dest", destination), ("$now", Now)]);
    }

    /// <summary>Every row matching <paramref name="where"/> that is in a state <paramref name="on"/> is allowed from (or only in
    /// <paramref name="only"/>) takes the event, in one statement: the states in its SQL come from <see cref="DeliveryTransitions"/>.
    /// Rows in other states are not touched: a report or an operator's retry may find rows that have moved on.</summary>
    private int Transition(SqliteTransaction tx, DeliveryEvent on, string set, string where, DeliveryState? only, params (string Name, object? Value)[] parameters)
    {
        IReadOnlyList<DeliveryState> from = only is { } single ? [single] : DeliveryTransitions.AllowedFrom(on);
        var to = from.Select(s => DeliveryTransitions.Next(s, on)).ToArray();
        var cases = string.Join(" ", from.Select((_, i) => $"WHEN $f{i} THEN $t{i}"));
        return Execute(tx, $"UPDATE deliveries SET state = CASE state {cases} END, {set} WHERE state IN ({StateList(from, "$f")}) AND ({where})",
            [.. parameters, .. StateParameters(from, "$f"), .. StateParameters(to, "$t")]);
    }

    private int Transition(SqliteTransaction tx, DeliveryEvent on, string set, string where, params (string Name, object? Value)[] parameters) =>
        Transition(tx, on, set, where, null, parameters);

    private static string StateList(IReadOnlyList<DeliveryState> states, string prefix) => string.Join(", ", states.Select((_, i) => $"{prefix}{i}"));

    private static IEnumerable<(string Name, object? Value)> StateParameters(IReadOnlyList<DeliveryState> states, string prefix) =>
        states.Select((s, i) => ($"{prefix}{i}", (object?)DeliveryStateColumn.Text(s)));

    private T Write<T>(Func<SqliteTransaction, T> change)
    {
        lock (_gate)
        {
            using var transaction = _connection.BeginTransaction();
            var result = change(transaction);
            transaction.Commit();
            return result;
        }
    }

    private T Read<T>(Func<T> query)
    {
        lock (_gate)
        {
            return query();
        }
    }

    private SqliteCommand Command(SqliteTransaction? tx, string sql, params (string Name, object? Value)[] parameters) => Command(_connection, tx, sql, parameters);

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? tx, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = tx;
        foreach (var (name, value) in parameters)
        {
            if (sql.Contains(name, StringComparison.Ordinal) && !command.Parameters.Contains(name))
            {
                command.Parameters.AddWithValue(name, value ?? DBNull.Value);
            }
        }
        return command;
    }

    private int Execute(SqliteTransaction tx, string sql, params (string Name, object? Value)[] parameters) => Execute(_connection, tx, sql, parameters);

    private static int Execute(SqliteConnection connection, SqliteTransaction? tx, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, tx, sql, parameters);
        return command.ExecuteNonQuery();
    }

    private object? Scalar(SqliteTransaction? tx, string sql, params (string Name, object? Value)[] parameters) => Scalar(_connection, tx, sql, parameters);

    private static object? Scalar(SqliteConnection connection, SqliteTransaction? tx, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, tx, sql, parameters);
        var value = command.ExecuteScalar();
        return value is DBNull ? null : value;
    }
}
