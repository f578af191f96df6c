extern alias console;
using CathLab.Security.Audit;
using CathLab.Testing;
using console::CathLab.Console.Commands;

namespace CathLab.Station.Tests;

/// <summary>The audit file's hash chain (<see cref="AuditChain"/>): intact as written and across restarts; an edited,
/// removed or inserted line found by <c>cathlab audit-verify</c> at its line; a line cut short by a crash reported,
/// and the log goes on after it.</summary>
public sealed class AuditChainTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string WriteLog(int records, string? path = null)
    {
        path ??= _temp.File("audit.jsonl");
        using var log = new JsonLinesAuditLog(path);
        for (int i = 0; i < records; i++)
            log.Record(new AuditRecord(DateTimeOffset.UnixEpoch.AddSeconds(i), $"dr-{i}", "watch", "OK", "EX-1", "Observer", "127.0.0.1:5000", "grpc", i, $"frames {i * 10}"));
        return path;
    }

    private static async Task<(int Exit, string Out, string Err)> VerifyAsync(string path)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exit = await CommandTable.DispatchAsync(["audit-verify", path], output, error, CancellationToken.None);
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task A_log_written_in_two_sessions_verifies()
    {
        var path = WriteLog(5);
        WriteLog(3, path); // the station restarted: the chain goes on from the last line
        var (exit, output, _) = await VerifyAsync(path);
        Assert.Equal(ExitCodes.Success, exit);
        Assert.Contains("8 records, chain intact", output, StringComparison.Ordinal);
        Assert.All(File.ReadLines(path), l => Assert.Contains("\"chain\":\"", l, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_log_longer_than_the_tail_read_at_start_continues_its_chain()
    {
        var path = WriteLog(600); // about 130 KB: the restart reads only the last 64 KiB
        Assert.True(new FileInfo(path).Length > 64 * 1024);
        WriteLog(3, path);
        var (exit, output, _) = await VerifyAsync(path);
        Assert.Equal(ExitCodes.Success, exit);
        Assert.Contains("603 records, chain intact", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("edited", 4)]
    [InlineData("removed", 4)]
    [InlineData("inserted", 4)]
    [InlineData("swapped", 3)]
    public async Task A_changed_log_is_found_at_the_line_that_breaks(string change, int brokenLine)
    {
        var path = WriteLog(6);
        var lines = File.ReadAllLines(path).ToList();
        switch (change)
        {
            case "edited": lines[3] = lines[3].Replace("dr-3", "dr-X", StringComparison.Ordinal); break;
            case "removed": lines.RemoveAt(3); break;
            case "inserted": lines.Insert(3, lines[1]); break;
            case "swapped": (lines[2], lines[3]) = (lines[3], lines[2]); break;
        }
        File.WriteAllLines(path, lines);
        var (exit, _, error) = await VerifyAsync(path);
        Assert.Equal(ExitCodes.Failure, exit);
        Assert.Contains($"line {brokenLine}:", error, StringComparison.Ordinal);
        Assert.Contains($"({brokenLine - 1} records before it verified)", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_line_cut_short_by_a_crash_is_reported_and_the_log_goes_on()
    {
        var path = WriteLog(3);
        var whole = File.ReadAllText(path);
        File.WriteAllText(path, whole + whole.Split('\n')[0][..40]); // the process killed mid-write: no line feed
        WriteLog(2, path);
        var lines = File.ReadAllLines(path);
        Assert.Equal(3 + 1 + 1 + 2, lines.Length); // the cut line stays on its own; the resume is said; the new records
        Assert.Contains("\"Action\":\"audit-chain-resumed\"", lines[4], StringComparison.Ordinal);
        var (exit, _, error) = await VerifyAsync(path);
        Assert.Equal(ExitCodes.Failure, exit);
        Assert.Contains("line 4: the line carries no chain value", error, StringComparison.Ordinal);
        // Past the cut line every record still chains to the last whole one before it.
        var kept = lines.Where((_, i) => i != 3).ToArray();
        File.WriteAllLines(_temp.File("without-the-cut-line.jsonl"), kept);
        Assert.True(AuditLogVerifier.Verify(_temp.File("without-the-cut-line.jsonl")).Intact);
    }
}
