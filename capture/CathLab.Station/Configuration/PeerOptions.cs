using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using CathLab.Acquisition.Configuration;
using CathLab.Dicom.Network.Association;

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

    /// <summary>DICOM over TLS to this PACS, with the Non-downgrading BCP 195 profile (PS3.15 B.10).</summary>
    public bool Tls { get; set; }

    /// <summary>PEM file of the certificates the PACS's certificate must chain to (the site's CA); required with Tls.</summary>
    public string TlsTrustedCertificates { get; set; } = "";

    /// <summary>PEM files of the station's own certificate and private key, offered when the PACS asks (mutual
    /// authentication); both or neither.</summary>
    public string TlsCertificate { get; set; } = "";
    public string TlsKey { get; set; } = "";

    /// <summary>The name the PACS's certificate must carry; default: Host.</summary>
    public string TlsServerName { get; set; } = "";

    /// <summary>A DICOMweb archive instead of a DIMSE PACS: the service's root URL (objects go by STOW-RS to
    /// <c>{DicomWebUrl}studies</c>); AeTitle, Host, Port, StorageCommitment and Tls are then not used.</summary>
    public string DicomWebUrl { get; set; } = "";

    /// <summary>How the destination is named in the outbox and the console; default: the AE title, or the DICOMweb URL's host.</summary>
    public string Name { get; set; } = "";

    /// <summary>The outbox's destination for this peer.</summary>
    public CathLab.Publishing.PacsDestination Destination() =>
        DicomWebUrl.Length > 0
            ? CathLab.Publishing.PacsDestination.StowRs(Name.Length > 0 ? Name : new Uri(DicomWebUrl).Authority, new Uri(DicomWebUrl.EndsWith('/') ? DicomWebUrl : DicomWebUrl + "/"))
            : new CathLab.Publishing.PacsDestination(Name.Length > 0 ? Name : AeTitle, AeTitle, Host, Port) { RequestCommitment = StorageCommitment, Tls = TlsClientOptions() };

    public IEnumerable<string> Problems(string at)
    {
        if (DicomWebUrl.Length > 0)
        {
            if (!Uri.TryCreate(DicomWebUrl, UriKind.Absolute, out var root) || (root.Scheme != Uri.UriSchemeHttp && root.Scheme != Uri.UriSchemeHttps))
                yield return $"{at}:DicomWebUrl '{DicomWebUrl}' must be an absolute http or https URL (the DICOMweb service's root)";
            yield break;
        }
        if (!OptionsChecks.IsAeTitle(AeTitle)) yield return OptionsChecks.AeTitleProblem($"{at}:AeTitle", AeTitle);
        if (string.IsNullOrWhiteSpace(Host)) yield return $"{at}:Host is required";
        if (!OptionsChecks.IsPort(Port)) yield return $"{at}:Port {Port} must be 1–65535";
        if (!Tls) yield break;
        if (TlsTrustedCertificates.Length == 0) yield return $"{at}:TlsTrustedCertificates is required with {at}:Tls (a PEM file of the certificates the PACS's must chain to)";
        if ((TlsCertificate.Length == 0) != (TlsKey.Length == 0)) yield return $"{at}:TlsCertificate and {at}:TlsKey go together (the station's certificate and its private key, PEM)";
        string? unreadable = null;
        try
        {
            TlsClientOptions();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or ArgumentException)
        {
            unreadable = e.Message;
        }
        if (unreadable is not null) yield return $"{at}: the TLS files cannot be read: {unreadable}";
    }

    /// <summary>The TLS client options for this PACS (null without Tls), its files read now.</summary>
    public SslClientAuthenticationOptions? TlsClientOptions()
    {
        if (!Tls) return null;
        var trusted = new X509Certificate2Collection();
        trusted.ImportFromPemFile(TlsTrustedCertificates);
        var own = TlsCertificate.Length > 0 ? X509Certificate2.CreateFromPemFile(TlsCertificate, TlsKey) : null;
        return Bcp195Tls.Client(TlsServerName.Length > 0 ? TlsServerName : Host, trusted, own);
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
