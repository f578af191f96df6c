using CathLab.LiveFeed.Broker;
using CathLab.LiveFeed.Hosting;
using CathLab.Security.Access;

namespace CathLab.Relay;

/// <summary>A relay's configuration (section "Relay" of appsettings.json, Relay__... environment variables or
/// --Relay:... arguments): where it listens, whom it serves, and the broker and exams it relays.</summary>
public sealed class RelayOptions
{
    public const string Section = "Relay";

    /// <summary>The gRPC endpoint (HTTP/2), as the station's GrpcUrl.</summary>
    public string GrpcUrl { get; set; } = "http://127.0.0.1:5810";

    /// <summary>The browser endpoint (HTTP/1.1): the web application's viewer, /live/ and its WebSocket.</summary>
    public string WebUrl { get; set; } = "http://127.0.0.1:5811";

    /// <summary>The relay's own audit trail (JSON lines, hash-chained as the station's).</summary>
    public string AuditPath { get; set; } = "relay-audit.jsonl";

    /// <summary>The observers' tokens, as the station's Tokens (holder, SHA-256 of the token, exams).</summary>
    public List<RelayToken> Tokens { get; set; } = [];

    public List<string> BrokerUrls { get; set; } = [];

    public string BrokerUser { get; set; } = "";

    public string BrokerPassword { get; set; } = "";

    public string BrokerNKeyFile { get; set; } = "";

    /// <summary>The station's subject prefix (its Station:Broker:SubjectPrefix).</summary>
    public string SubjectPrefix { get; set; } = "cathlab";

    /// <summary>The station's Station:Broker:ExamKeySecret.</summary>
    public string ExamKeySecret { get; set; } = "";

    /// <summary>The exams this relay serves, by exam id; it subscribes to these and no others.</summary>
    public List<string> Exams { get; set; } = [];

    public IEnumerable<string> Problems()
    {
        const string at = Section;
        if (!Uri.TryCreate(GrpcUrl, UriKind.Absolute, out _)) yield return $"{at}:GrpcUrl '{GrpcUrl}' must be an http(s) URL";
        if (!Uri.TryCreate(WebUrl, UriKind.Absolute, out _)) yield return $"{at}:WebUrl '{WebUrl}' must be an http(s) URL";
        if (BrokerUrls.Count == 0) yield return $"{at}:BrokerUrls must name at least one nats:// server";
        if (Exams.Count == 0) yield return $"{at}:Exams must list the exams this relay serves";
        if (string.IsNullOrWhiteSpace(ExamKeySecret)) yield return $"{at}:ExamKeySecret is required (the station's Station:Broker:ExamKeySecret)";
        if (Tokens.Count == 0) yield return $"{at}:Tokens must give at least one observer a token";
        for (int i = 0; i < Tokens.Count; i++)
        {
            foreach (string problem in Tokens[i].Problems($"{at}:Tokens:{i}")) yield return problem;
        }
    }

    public LiveFeedOptions ToLiveFeed() => new()
    {
        Tokens = [.. Tokens.Select(t => t.ToGrant())],
        AuditPath = Path.GetFullPath(AuditPath),
        Broker = new BrokerOptions
        {
            Urls = BrokerUrls,
            User = BrokerUser.Length > 0 ? BrokerUser : null,
            Password = BrokerPassword.Length > 0 ? BrokerPassword : null,
            NKeyFile = BrokerNKeyFile.Length > 0 ? BrokerNKeyFile : null,
            SubjectPrefix = SubjectPrefix,
            ExamKeySecret = ExamKeySecret,
            RelayExams = Exams,
        },
    };
}

/// <summary>One observer token of a relay. A relay serves observers only: it has nothing a technician controls.</summary>
public sealed class RelayToken
{
    public string Holder { get; set; } = "";

    /// <summary>SHA-256 of the token, hex; the token itself is never stored.</summary>
    public string Sha256 { get; set; } = "";

    /// <summary>The exams the holder may watch; empty: every exam the relay serves.</summary>
    public List<string> Exams { get; set; } = [];

    public IEnumerable<string> Problems(string at)
    {
        if (string.IsNullOrWhiteSpace(Holder)) yield return $"{at}:Holder is required";
        if (Sha256.Length != 64 || !Sha256.All(Uri.IsHexDigit)) yield return $"{at}:Sha256 must be 64 hex digits (the SHA-256 of the token)";
    }

    public TokenGrant ToGrant() => new()
    {
        Subject = Holder,
        Role = StationRole.Observer,
        TokenSha256 = Sha256,
        Exams = Exams.Count == 0 ? ["*"] : Exams,
    };
}
