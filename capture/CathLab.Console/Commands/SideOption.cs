namespace CathLab.Console.Commands;

/// <summary><c>--side R|L</c>: the side of a paired body part that a run examines (Laterality in its series).</summary>
public static class SideOption
{
    public const string Name = "side";
    public const string Usage = "  --side R|L          the side examined, for a protocol of a paired body part (e.g. a leg)";

    public static string? Read(OptionReader options) => options.String(Name) switch
    {
        null => null,
        "R" or "r" => "R",
        "L" or "l" => "L",
        var other => throw new UsageException($"--side must be R or L, not '{other}'"),
    };
}
