using System.Text.Json;

namespace CathLab.Acquisition.Calibration;

/// <summary>Every constancy check, oldest first, as JSON lines in the calibration folder (<c>constancy.jsonl</c>): the
/// history the control API serves and the web console plots.</summary>
public sealed class ConstancyHistory(string folder)
{
    private readonly Lock _gate = new();

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetFullPath(folder), "constancy.jsonl");

    public void Append(ConstancyResult result)
    {
        lock (_gate)
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
            File.AppendAllText(Path, JsonSerializer.Serialize(result) + "\n");
        }
    }

    /// <summary>The checks kept; a line that cannot be read (a torn last write) is skipped.</summary>
    public IReadOnlyList<ConstancyResult> Read()
    {
        lock (_gate)
        {
            if (!File.Exists(Path)) return [];
            var results = new List<ConstancyResult>();
            foreach (var line in File.ReadLines(Path))
            {
                if (line.Length == 0) continue;
                try
                {
                    if (JsonSerializer.Deserialize<ConstancyResult>(line) is { } result) results.Add(result);
                }
                catch (JsonException)
                {
                }
            }
            return results;
        }
    }
}
