namespace CathLab.Publishing.Journal;

/// <summary>The journal's tables (described in docs/outbox.md). Times are Unix milliseconds (UTC).</summary>
internal static class JournalSchema
{
    public const int Version = 1;

    public const string Pragmas = """
        PRAGMA journal_mode = WAL;
        PRAGMA synchronous = FULL;
        PRAGMA foreign_keys = ON;
        PRAGMA busy_timeout = 5000;
        """;

    public static readonly string Create = $"""
        CREATE TABLE IF NOT EXISTS objects (
            id                 INTEGER PRIMARY KEY,
            path               TEXT    NOT NULL,
            sop_class_uid      TEXT    NOT NULL,
            sop_instance_uid   TEXT    NOT NULL UNIQUE,
            study_instance_uid TEXT,
            description        TEXT    NOT NULL,
            size               INTEGER NOT NULL,
            added_at           INTEGER NOT NULL,
            file_released_at   INTEGER
        );
        CREATE TABLE IF NOT EXISTS deliveries (
            object_id       INTEGER NOT NULL REFERENCES objects(id),
            destination     TEXT    NOT NULL,
            state           TEXT    NOT NULL CHECK (state IN ({DeliveryStateColumn.CheckList})),
            attempts        INTEGER NOT NULL DEFAULT 0,
            next_attempt_at INTEGER NOT NULL,
            last_error      TEXT,
            permanent       INTEGER NOT NULL DEFAULT 0,
            commitment_uid  TEXT,
            updated_at      INTEGER NOT NULL,
            PRIMARY KEY (object_id, destination)
        );
        CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (destination, state, next_attempt_at);
        CREATE INDEX IF NOT EXISTS deliveries_commitment ON deliveries (commitment_uid);
        CREATE TABLE IF NOT EXISTS commitment_transactions (
            uid          TEXT    PRIMARY KEY,
            destination  TEXT    NOT NULL,
            requested_at INTEGER NOT NULL,
            objects      INTEGER NOT NULL
        );
        """;
}
