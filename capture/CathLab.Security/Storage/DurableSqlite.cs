using Microsoft.Data.Sqlite;

namespace CathLab.Security.Storage;

/// <summary>Opens the SQLite file a security component keeps its state in (WAL, synchronous=FULL: a committed row
/// survives a killed process) and creates its tables.</summary>
public static class DurableSqlite
{
    /// <param name="path">The file; null: an in-memory database that ends with the connection.</param>
    public static SqliteConnection Open(string? path, string schema)
    {
        string source = ":memory:";
        if (path is not null)
        {
            source = Path.GetFullPath(path);
            Directory.CreateDirectory(Path.GetDirectoryName(source)!);
        }
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = source, Pooling = false }.ToString());
        try
        {
            connection.Open();
            using var create = connection.CreateCommand();
            create.CommandText = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; " + schema;
            create.ExecuteNonQuery();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }
}
