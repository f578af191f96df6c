using CathLab.Acquisition.Configuration;

namespace CathLab.Station.Archive;

/// <summary>The spool and the embedded archive (section Station:Archive).</summary>
public sealed class ArchiveOptions : IOptionsSection
{
    public const string Section = "Archive";

    /// <summary>Where the embedded archive keeps what it receives when no PACS is configured.</summary>
    public string Folder { get; set; } = "archive";

    /// <summary>Where runs are written while they are acquired, before they are offered to any peer.</summary>
    public string SpoolFolder { get; set; } = "spool";
    public string AeTitle { get; set; } = "CATHLAB_ARCH";

    /// <summary>Port of the embedded storage SCP on 127.0.0.1; 0 picks a free one.</summary>
    public int Port { get; set; }

    /// <summary>The calling AE titles the embedded archive accepts associations from; empty accepts any caller on this
    /// computer. When set it must name Station:AeTitle, which the station's own publishing calls with.</summary>
    public List<string> AllowedCallingAeTitles { get; set; } = [];

    public IEnumerable<string> Problems(string at)
    {
        if (string.IsNullOrWhiteSpace(Folder)) yield return $"{at}:Folder must not be empty";
        if (string.IsNullOrWhiteSpace(SpoolFolder)) yield return $"{at}:SpoolFolder must not be empty";
        if (!OptionsChecks.IsAeTitle(AeTitle)) yield return OptionsChecks.AeTitleProblem($"{at}:AeTitle", AeTitle);
        if (Port is < 0 or > 65535) yield return $"{at}:Port {Port} must be 0–65535";
        for (int i = 0; i < AllowedCallingAeTitles.Count; i++)
        {
            if (!OptionsChecks.IsAeTitle(AllowedCallingAeTitles[i]))
                yield return OptionsChecks.AeTitleProblem($"{at}:AllowedCallingAeTitles:{i}", AllowedCallingAeTitles[i]);
        }
    }
}
