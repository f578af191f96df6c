namespace CathLab.Acquisition.Configuration;

/// <summary>A component's options, bound from its own configuration section: it declares its own limits and says, in
/// words a person can act on, which of its values break them. <paramref name="at"/> is the section's path
/// ("Station:Generator"), so each problem names its key.</summary>
public interface IOptionsSection
{
    IEnumerable<string> Problems(string at);
}

/// <summary>Checks shared by every options section.</summary>
public static class OptionsChecks
{
    public const int MaxAeTitleLength = 16;

    /// <summary>An AE title: 1–16 characters of the default repertoire, no backslash.</summary>
    public static bool IsAeTitle(string? value) =>
        !string.IsNullOrWhiteSpace(value) && value.Length <= MaxAeTitleLength && value.All(c => c is >= ' ' and <= '~' && c != '\\');

    public static string AeTitleProblem(string key, string value) =>
        $"{key} '{value}' must be 1–{MaxAeTitleLength} printable ASCII characters without backslash";

    public static bool IsPort(int port) => port is > 0 and <= 65535;

    /// <summary>The names an enum-typed key accepts, for its message.</summary>
    public static string Names<T>() where T : struct, Enum => string.Join(", ", Enum.GetNames<T>());
}
