using System.Text.Json;

namespace CathLab.Security.Audit;

/// <summary>Appends each record as one JSON line to a file, flushed at once, and keeps the latest records
/// in memory for <see cref="Recent"/>.</summary>
public sealed class JsonLinesAuditLog : IAuditLog, IDisposable
{
    private readonly object _gate = new();
    private readonly StreamWriter? _writer;
    private readonly Queue<AuditRecord> _recent = new();
    private readonly int _keep;

    public JsonLinesAuditLog(string? path, int keepInMemory = 1000)
    {
        _keep = keepInMemory;
        if (path is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            _writer = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read));
        }
    }

    public void Record(AuditRecord record)
    {
        lock (_gate)
        {
            if (_writer is not null)
            {
                _writer.WriteLine(JsonSerializer.Serialize(record));
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
