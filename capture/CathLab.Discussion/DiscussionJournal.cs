using Microsoft.Data.Sqlite;

namespace CathLab.Discussion;

/// <summary>A discussion's accepted events in order, in SQLite (WAL, synchronous=FULL): one row per event, its JSON as it
/// was broadcast. Replaying the rows rebuilds the discussion after a restart.</summary>
public sealed class DiscussionJournal : IDisposable
{
    private readonly SqliteConnection _connection;

    private DiscussionJournal(SqliteConnection connection) => _connection = connection;

    public static DiscussionJournal Open(string path)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = full, Pooling = false }.ToString());
        try
        {
            connection.Open();
            using var create = connection.CreateCommand();
            create.CommandText = """
                PRAGMA journal_mode = WAL;
                PRAGMA synchronous = FULL;
                CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, event TEXT NOT NULL);
                """;
            create.ExecuteNonQuery();
        }
        catch
        {
            connection.Dispose();
            throw;
        }
        return new DiscussionJournal(connection);
    }

    public void Append(DateTimeOffset at, string eventJson)
    {
        using var insert = _connection.CreateCommand();
        insert.CommandText = "INSERT INTO events (at, event) VALUES ($at, $event)";
        insert.Parameters.AddWithValue("$at", at.ToUnixTimeMilliseconds());
        insert.Parameters.AddWithValue("$event", eventJson);
        insert.ExecuteNonQuery();
    }

    public IReadOnlyList<string> Events()
    {
        using var select = _connection.CreateCommand();
        select.CommandText = "SELECT event FROM events ORDER BY seq";
        using var reader = select.ExecuteReader();
        var events = new List<string>();
        while (reader.Read()) events.Add(reader.GetString(0));
        return events;
    }

    public void Dispose() => _connection.Dispose();
}
