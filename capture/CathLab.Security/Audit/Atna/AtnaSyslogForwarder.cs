using System.Net.Sockets;
using CathLab.Security.Storage;
using Microsoft.Data.Sqlite;

namespace CathLab.Security.Audit.Atna;

/// <summary>Keeps every record in the local log and sends it, as a DICOM audit message in an RFC 5424 syslog message,
/// to the site's audit repository. Each message goes first into a SQLite spool (WAL, synchronous=FULL) and leaves it
/// only once written to the repository's connection, oldest first, so the repository being down (or the station
/// being killed) loses nothing: what waits is sent, in order, when it answers again.</summary>
public sealed class AtnaSyslogForwarder : IAuditLog, IDisposable
{
    private readonly IAuditLog _local;
    private readonly AtnaSyslogSettings _settings;
    private readonly SqliteConnection _spool;
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _waiting = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sender;

    public AtnaSyslogForwarder(IAuditLog local, AtnaSyslogSettings settings)
    {
        _local = local;
        _settings = settings;
        _spool = DurableSqlite.Open(settings.SpoolPath, "CREATE TABLE IF NOT EXISTS spool (seq INTEGER PRIMARY KEY AUTOINCREMENT, frame BLOB NOT NULL);");
        _sender = Task.Run(SendAsync);
    }

    /// <summary>Messages not yet taken by the repository.</summary>
    public long Waiting
    {
        get
        {
            lock (_gate)
            {
                using var count = _spool.CreateCommand();
                count.CommandText = "SELECT COUNT(*) FROM spool";
                return (long)count.ExecuteScalar()!;
            }
        }
    }

    public void Record(AuditRecord record)
    {
        _local.Record(record);
        byte[] frame = SyslogFrame.Of(record.At, _settings.SourceId, "cathlab-station", record.Outcome != "OK", AtnaAuditMessage.Of(record, _settings.SourceId));
        lock (_gate)
        {
            using var insert = _spool.CreateCommand();
            insert.CommandText = "INSERT INTO spool (frame) VALUES ($frame)";
            insert.Parameters.AddWithValue("$frame", frame);
            insert.ExecuteNonQuery();
        }
        _waiting.Release();
    }

    private async Task SendAsync()
    {
        TcpClient? connection = null;
        var ct = _stop.Token;
        while (!ct.IsCancellationRequested)
        {
            if (Oldest() is not { } next)
            {
                try
                {
                    await _waiting.WaitAsync(_settings.RetryInterval, ct);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
                continue;
            }
            try
            {
                if (connection is null)
                {
                    connection = new TcpClient { NoDelay = true };
                    await connection.ConnectAsync(_settings.Host, _settings.Port, ct);
                }
                await connection.GetStream().WriteAsync(next.Frame, ct);
                Remove(next.Seq);
            }
            catch (Exception e) when (e is SocketException or IOException)
            {
                connection?.Dispose();
                connection = null;
                try
                {
                    await Task.Delay(_settings.RetryInterval, ct);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        connection?.Dispose();
    }

    private (long Seq, byte[] Frame)? Oldest()
    {
        lock (_gate)
        {
            using var select = _spool.CreateCommand();
            select.CommandText = "SELECT seq, frame FROM spool ORDER BY seq LIMIT 1";
            using var row = select.ExecuteReader();
            return row.Read() ? (row.GetInt64(0), (byte[])row.GetValue(1)) : null;
        }
    }

    private void Remove(long seq)
    {
        lock (_gate)
        {
            using var delete = _spool.CreateCommand();
            delete.CommandText = "DELETE FROM spool WHERE seq = $seq";
            delete.Parameters.AddWithValue("$seq", seq);
            delete.ExecuteNonQuery();
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        try
        {
            _sender.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
        lock (_gate) _spool.Dispose();
        _stop.Dispose();
        (_local as IDisposable)?.Dispose();
    }
}
