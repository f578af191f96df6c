using System.Text.Json;

namespace CathLab.Security.Audit;

/// <summary>Appends each record as one JSON line to a file, chained to the line before (<see cref="AuditChain"/>) and
/// flushed at once, and keeps the latest records in memory for <see cref="Recent"/>. A file that exists is continued
/// from its last line's chain.</summary>
public sealed class JsonLinesAuditLog : IAuditLog, IDisposable
{
    private readonly object _gate = new();
    private readonly StreamWriter? _writer;
    private readonly Queue<AuditRecord> _recent = new();
    private readonly int _keep;
    private string _chain = AuditChain.Genesis;

    public JsonLinesAuditLog(string? path, int keepInMemory = 1000)
    {
        _keep = keepInMemory;
        if (path is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            var tail = AuditLogVerifier.ReadTail(path);
            _chain = tail.Chain;
            _writer = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read));
            if (tail.EndsMidLine) _writer.WriteLine(); // a line cut short: the next record starts a line of its own
            // A line cut short (the process killed mid-write) stays where it is, for the verifier to report; the
            // chain goes on from the last whole line, and says so.
            if (tail.UnchainedLines > 0)
                Record(new AuditRecord(DateTimeOffset.UtcNow, "station", "audit-chain-resumed", "OK",
                    Detail: $"{tail.UnchainedLines} line(s) at the end of the file carry no chain value; the chain resumes from the last line that does"));
        }
    }

    public void Record(AuditRecord record)
    {
        lock (_gate)
        {
            if (_writer is not null)
            {
                string json = JsonSerializer.Serialize(record);
                _chain = AuditChain.Next(_chain, json);
                _writer.WriteLine(AuditChain.Seal(json, _chain));
                _writer.Flush();
            }
            _recent.Enqueue(record);
            while (_recent.Count > _keep) _recent.Dequeue();
        }
    }

    public IReadOnlyList<AuditRecord> Recent()
    {
        lock (_gate) return _recent.ToArray();
    }

    public void Dispose()
    {
        lock (_gate) _writer?.Dispose();
    }
}
