namespace CathLab.Security.Audit.Atna;

/// <summary>The site's audit repository: a syslog receiver over TCP (RFC 5424 messages, octet-counted), and the local
/// spool that holds what it has not taken yet.</summary>
public sealed record AtnaSyslogSettings
{
    public required string Host { get; init; }

    public required int Port { get; init; }

    /// <summary>The SQLite file messages wait in until the repository takes them.</summary>
    public required string SpoolPath { get; init; }

    /// <summary>AuditSourceID and the syslog HOSTNAME: the station's name.</summary>
    public string SourceId { get; init; } = Environment.MachineName;

    public TimeSpan RetryInterval { get; init; } = TimeSpan.FromSeconds(1);
}
