using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace CathLab.Architecture.Tests;

/// <summary>The project references drawn in docs/architecture.md are the ones the project files have: a project that
/// gains a reference the drawing does not allow (one that runs against the data flow) fails here, as does a drawing
/// that names a reference no project has any more.</summary>
public sealed partial class ProjectReferenceTests
{
    private static readonly string Root = FindRoot();

    [Fact]
    public void Every_project_reference_is_one_the_architecture_drawing_allows()
    {
        var drawn = DrawnReferences();
        var actual = ActualReferences();
        var unknown = actual.Keys.Where(p => !drawn.ContainsKey(p)).ToArray();
        Assert.True(unknown.Length == 0, $"projects missing from docs/architecture.md's reference table: {string.Join(", ", unknown)}");
        var against = actual.SelectMany(p => p.Value.Except(drawn[p.Key]).Select(r => $"{p.Key} -> {r}")).ToArray();
        Assert.True(against.Length == 0, $"references the drawing does not allow: {string.Join("; ", against)}");
    }

    [Fact]
    public void The_drawing_names_no_reference_that_is_not_there()
    {
        var actual = ActualReferences();
        var drawn = DrawnReferences();
        var stale = drawn.Where(p => !actual.ContainsKey(p.Key)).Select(p => p.Key)
            .Concat(drawn.Where(p => actual.ContainsKey(p.Key)).SelectMany(p => p.Value.Except(actual[p.Key]).Select(r => $"{p.Key} -> {r}")))
            .ToArray();
        Assert.True(stale.Length == 0, $"docs/architecture.md draws what the project files do not have: {string.Join("; ", stale)}");
    }

    [Fact]
    public void Every_reference_runs_down_the_layers()
    {
        var layers = DrawnLayers();
        var upward = ActualReferences().Where(p => layers.ContainsKey(p.Key))
            .SelectMany(p => p.Value.Where(r => layers.TryGetValue(r, out var layer) && layer >= layers[p.Key]).Select(r => $"{p.Key} (layer {layers[p.Key]}) -> {r} (layer {layers[r]})"))
            .ToArray();
        Assert.True(upward.Length == 0, $"references against the data flow: {string.Join("; ", upward)}");
    }

    [Fact]
    public void No_product_project_references_a_test_bench_or_simulator_project()
    {
        var forbidden = new[] { ".Tests", ".Testing", "CathLab.Bench", "CathLab.Sims" };
        var product = ActualReferences().Where(p => !IsTestSide(p.Key) && !p.Key.StartsWith("CathLab.Sims", StringComparison.Ordinal));
        var wrong = product.SelectMany(p => p.Value.Where(r => forbidden.Any(f => r.Contains(f, StringComparison.Ordinal))).Select(r => $"{p.Key} -> {r}")).ToArray();
        Assert.True(wrong.Length == 0, string.Join("; ", wrong));
    }

    private static bool IsTestSide(string project) =>
        project.EndsWith(".Tests", StringComparison.Ordinal) || project.StartsWith("CathLab.Testing", StringComparison.Ordinal)
        || project.StartsWith("CathLab.Bench", StringComparison.Ordinal) || project.StartsWith("CathLab.Dicom.Bench", StringComparison.Ordinal);

    /// <summary>Project name → names of the projects it references, from every .csproj under the root.</summary>
    private static Dictionary<string, HashSet<string>> ActualReferences() =>
        Directory.EnumerateFiles(Root, "*.csproj", SearchOption.AllDirectories)
            .Where(f => !f.Split(Path.DirectorySeparatorChar).Any(d => d is "bin" or "obj" or "node_modules"))
            .ToDictionary(
                f => Path.GetFileNameWithoutExtension(f),
                f => XDocument.Load(f).Descendants("ProjectReference")
                    .Select(r => Path.GetFileNameWithoutExtension(r.Attribute("Include")!.Value.Replace('\\', '/')))
                    .ToHashSet());

    private static Dictionary<string, HashSet<string>> DrawnReferences() =>
        DrawnRows().ToDictionary(r => r.Groups["project"].Value, r => Quoted().Matches(r.Groups["refs"].Value).Select(m => m.Groups[1].Value).ToHashSet());

    /// <summary>The layer of each product project (tests and benches have none: they may use any layer).</summary>
    private static Dictionary<string, int> DrawnLayers() =>
        DrawnRows().Where(r => r.Groups["layer"].Value != "—").ToDictionary(r => r.Groups["project"].Value, r => int.Parse(r.Groups["layer"].Value, System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>The reference table in docs/architecture.md, between its markers: rows "| `Project` | layer | `A`, `B` |"
    /// ("—" for no layer or no references).</summary>
    private static List<Match> DrawnRows()
    {
        var text = File.ReadAllText(Path.Combine(Root, "docs", "architecture.md"));
        int start = text.IndexOf("<!-- references -->", StringComparison.Ordinal), end = text.IndexOf("<!-- /references -->", StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, "docs/architecture.md has no <!-- references --> table");
        var rows = TableRow().Matches(text[start..end]).ToList();
        Assert.NotEmpty(rows);
        return rows;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CathLab.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("CathLab.sln not found above the test assembly");
    }

    [GeneratedRegex(@"^\| `(?<project>[A-Za-z.]+)` \| (?<layer>[0-9]+|—) \| (?<refs>[^|]*) \|", RegexOptions.Multiline)]
    private static partial Regex TableRow();

    [GeneratedRegex(@"`([A-Za-z.]+)`")]
    private static partial Regex Quoted();
}
