using CathLab.Acquisition.Configuration;
using CathLab.Security.Audit.Atna;

namespace CathLab.Station.Configuration;

/// <summary>Station:AuditRepository: the site's syslog audit repository that receives every audit record as a DICOM
/// audit message (ATNA); no Host: the audit stays in the local file only.</summary>
public sealed class AuditRepositoryOptions : IOptionsSection
{
    public const string Section = "AuditRepository";

    public string Host { get; set; } = "";

    public int Port { get; set; } = 514;

    /// <summary>The spool of messages the repository has not taken yet, relative to the working directory.</summary>
    public string SpoolPath { get; set; } = "audit-spool.db";

    public bool Configured => Host.Length > 0;

    public IEnumerable<string> Problems(string at)
    {
        if (!Configured) yield break;
        if (!OptionsChecks.IsPort(Port)) yield return $"{at}:Port {Port} must be 1–65535";
        if (string.IsNullOrWhiteSpace(SpoolPath)) yield return $"{at}:SpoolPath must name a file";
    }

    public AtnaSyslogSettings? ToSettings(string stationName) => !Configured ? null
        : new AtnaSyslogSettings { Host = Host, Port = Port, SpoolPath = Path.GetFullPath(SpoolPath), SourceId = stationName };
}
