namespace CathLab.Discussion;

/// <summary>The fixed pointer colours, chosen to be told apart on a grey image; a participant gets the first one no
/// other participant of the discussion has (the palette repeats past its length).</summary>
public static class PointerPalette
{
    public static readonly IReadOnlyList<string> Colours = ["#e6194b", "#3cb44b", "#ffe119", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6"];

    public static string Next(IEnumerable<string> taken)
    {
        var used = taken.ToHashSet();
        return Colours.FirstOrDefault(c => !used.Contains(c)) ?? Colours[used.Count % Colours.Count];
    }
}
