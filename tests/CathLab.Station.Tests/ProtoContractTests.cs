using System.Text.RegularExpressions;

namespace CathLab.Station.Tests;

/// <summary>The .proto files are a contract for other programs: they keep to syntax that protoc releases before 3.15
/// accept (no proto3 <c>optional</c> label; a scalar that may be absent sits alone in a oneof instead).</summary>
public sealed partial class ProtoContractTests
{
    /// <summary>Messages that may still use <c>optional</c>: none.</summary>
    private static readonly string[] NotYet = [];

    [Theory]
    [InlineData("live_feed.proto")]
    [InlineData("station_control.proto")]
    public void No_field_uses_the_proto3_optional_label(string file)
    {
        string path = Path.Combine(RepositoryRoot(), "capture", "protos", file);
        string message = "";
        var offending = new List<string>();
        foreach (var (line, number) in File.ReadLines(path).Select((l, i) => (l, i + 1)))
        {
            string code = line.Split("//")[0];
            if (MessageStart().Match(code) is { Success: true } m) message = m.Groups[1].Value;
            if (OptionalLabel().IsMatch(code) && !NotYet.Contains(message)) offending.Add($"{file}:{number} ({message}): {line.Trim()}");
        }
        Assert.True(offending.Count == 0, string.Join("\n", offending));
    }

    [GeneratedRegex(@"^\s*message\s+(\w+)")]
    private static partial Regex MessageStart();

    [GeneratedRegex(@"^\s*optional\s")]
    private static partial Regex OptionalLabel();

    internal static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "CathLab.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("the repository root (CathLab.sln) is not above the test's folder");
    }
}
