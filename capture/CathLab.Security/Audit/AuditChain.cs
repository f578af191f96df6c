using System.Security.Cryptography;
using System.Text;

namespace CathLab.Security.Audit;

/// <summary>
/// The audit file's tamper evidence: each line is a record's JSON with one more member, <c>"chain"</c>, the SHA-256
/// (hex) of the previous line's chain, a line feed, and this record's JSON as written (the line without its chain
/// member). The first record chains to <see cref="Genesis"/>. Editing, removing, reordering or inserting a line
/// breaks every chain after it, which <see cref="AuditLogVerifier"/> finds.
/// </summary>
public static class AuditChain
{
    public const string Genesis = "0000000000000000000000000000000000000000000000000000000000000000";
    private const string Member = ",\"chain\":\"";

    /// <summary>The chain value of <paramref name="recordJson"/> after <paramref name="previous"/>.</summary>
    public static string Next(string previous, string recordJson) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(previous + "\n" + recordJson)));

    /// <summary>The line written for a record's JSON (an object) and its chain value.</summary>
    public static string Seal(string recordJson, string chain) => string.Concat(recordJson.AsSpan(0, recordJson.Length - 1), Member, chain, "\"}");

    /// <summary>Splits a written line into the record's JSON as it was chained and the chain value it carries.</summary>
    public static bool TryOpen(string line, out string recordJson, out string chain)
    {
        recordJson = chain = "";
        int at = line.LastIndexOf(Member, StringComparison.Ordinal);
        if (at < 1 || !line.EndsWith("\"}", StringComparison.Ordinal) || line.Length - at - Member.Length - 2 != Genesis.Length) return false;
        chain = line.Substring(at + Member.Length, Genesis.Length);
        recordJson = line[..at] + "}";
        return chain.All(Uri.IsHexDigit);
    }
}

/// <summary>What <see cref="AuditLogVerifier.Verify"/> found: the records whose chain holds, and the first line that
/// breaks it (1-based) with why, if any.</summary>
public sealed record AuditVerification(int Records, int? BrokenLine, string? Problem)
{
    public bool Intact => BrokenLine is null;
}

/// <summary>Checks an audit file's chain from its first line (<see cref="AuditChain"/>).</summary>
public static class AuditLogVerifier
{
    public static AuditVerification Verify(string path)
    {
        string previous = AuditChain.Genesis;
        int line = 0;
        foreach (var text in File.ReadLines(path))
        {
            line++;
            if (!AuditChain.TryOpen(text, out var record, out var chain))
                return new AuditVerification(line - 1, line, "the line carries no chain value (damaged, or written by hand)");
            if (AuditChain.Next(previous, record) != chain)
                return new AuditVerification(line - 1, line, "its chain value does not follow from the line before: this line or one before it was changed, removed or inserted");
            previous = chain;
        }
        return new AuditVerification(line, null, null);
    }

    private const int TailBytes = 64 * 1024;

    /// <summary>Where an appender continues: the chain value of the file's last line that carries one (the genesis for
    /// a new or empty file), how many lines after it carry none (a write cut short by a crash), and whether the file
    /// ends mid-line. Only the file's last 64 KiB are read (a record is a few hundred bytes), so the station's start
    /// does not grow with its audit trail; the whole file only when no line there carries a chain.</summary>
    public static AuditTail ReadTail(string path)
    {
        if (!File.Exists(path)) return new AuditTail(AuditChain.Genesis, 0, false);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        long start = Math.Max(0, file.Length - TailBytes);
        file.Position = start;
        var bytes = new byte[file.Length - start];
        file.ReadExactly(bytes);
        bool endsMidLine = bytes.Length > 0 && bytes[^1] != (byte)'\n';
        var lines = Encoding.UTF8.GetString(bytes).Split('\n');
        // Before the tail's first line feed is part of a line that began earlier.
        int unchained = 0;
        for (int i = lines.Length - 1; i >= (start > 0 ? 1 : 0); i--)
        {
            var line = lines[i].TrimEnd('\r');
            if (line.Length == 0) continue;
            if (AuditChain.TryOpen(line, out _, out var chain)) return new AuditTail(chain, unchained, endsMidLine);
            unchained++;
        }
        return start == 0 ? new AuditTail(AuditChain.Genesis, unchained, endsMidLine) : ScanWhole(path, endsMidLine);
    }

    private static AuditTail ScanWhole(string path, bool endsMidLine)
    {
        string chain = AuditChain.Genesis;
        int unchained = 0;
        foreach (var text in File.ReadLines(path))
        {
            if (text.Length == 0) continue;
            if (AuditChain.TryOpen(text, out _, out var found))
            {
                chain = found;
                unchained = 0;
            }
            else
            {
                unchained++;
            }
        }
        return new AuditTail(chain, unchained, endsMidLine);
    }
}

/// <summary>See <see cref="AuditLogVerifier.ReadTail"/>.</summary>
public readonly record struct AuditTail(string Chain, int UnchainedLines, bool EndsMidLine);
