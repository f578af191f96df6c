using CathLab.Acquisition.Configuration;

namespace CathLab.Station.Configuration;

/// <summary>A DICOM peer of the RIS (sections Station:Worklist, Station:Mpps); an empty AE title means none is configured.</summary>
public sealed class DicomPeerOptions : IOptionsSection
{
    public string AeTitle { get; set; } = "";
    public string Host { get; set; } = "";
    public int Port { get; set; } = 104;

    public bool Configured => AeTitle.Length > 0;

    public IEnumerable<string> Problems(string at)
    {
        if (!Configured) yield break;
        if (!OptionsChecks.IsAeTitle(AeTitle)) yield return OptionsChecks.AeTitleProblem($"{at}:AeTitle", AeTitle);
        if (string.IsNullOrWhiteSpace(Host)) yield return $"{at}:Host is required when {at}:AeTitle is set";
        if (!OptionsChecks.IsPort(Port)) yield return $"{at}:Port {Port} must be 1–65535";
    }
}

/// <summary>One PACS the station publishes to (Station:Pacs:N).</summary>
public sealed class PacsPeerOptions : IOptionsSection
{
    /// <summary>Ask this PACS to commit every object it stored (N-ACTION); a file leaves the station only once committed.</summary>
    public bool StorageCommitment { get; set; } = true;

    public string AeTitle { get; set; } = "";
    public string Host { get; set; } = "";
    public int Port { get; set; } = 104;
    public bool Tls { get; set; }

    public IEnumerable<string> Problems(string at)
    {
        if (!OptionsChecks.IsAeTitle(AeTitle)) yield return OptionsChecks.AeTitleProblem($"{at}:AeTitle", AeTitle);
        if (string.IsNullOrWhiteSpace(Host)) yield return $"{at}:Host is required";
        if (!OptionsChecks.IsPort(Port)) yield return $"{at}:Port {Port} must be 1–65535";
        if (Tls) yield return $"{at}:Tls: DICOM over TLS to a PACS is not supported yet; use a TLS tunnel (stunnel) on the PACS link";
    }
}

/// <summary>What a token lets its holder do: control the station, or only watch.</summary>
public enum TokenRole { Observer, Technician }

/// <summary>One access token (Station:Tokens:N).</summary>
public sealed class TokenOptions : IOptionsSection
{
    public const int Sha256HexDigits = 64;

    /// <summary>Who holds the token, for the audit trail.</summary>
    public string Holder { get; set; } = "";

    /// <summary>SHA-256 of the token, hex; the token itself is never stored.</summary>
    public string Sha256 { get; set; } = "";

    /// <summary>technician (may control the station) or observer (may only watch); either case.</summary>
    public TokenRole Role { get; set; } = TokenRole.Observer;

    /// <summary>The exams an observer may watch, by exam id; empty (the default) or "*" is every exam of this station.</summary>
    public List<string> Exams { get; set; } = [];

    public IEnumerable<string> Problems(string at)
    {
        if (string.IsNullOrWhiteSpace(Holder)) yield return $"{at}:Holder is required";
        if (Sha256.Length != Sha256HexDigits || !Sha256.All(Uri.IsHexDigit)) yield return $"{at}:Sha256 must be {Sha256HexDigits} hex digits (the SHA-256 of the token)";
        if (!Enum.IsDefined(Role)) yield return $"{at}:Role '{Role}' must be technician or observer";
    }
}
