using CathLab.Acquisition.Configuration;
using CathLab.LiveFeed.Broker;

namespace CathLab.Station.Configuration;

/// <summary>The NATS broker the station publishes its live feed through to relays at other sites (Station:Broker); no
/// Urls: none, the station serves its own observers only. docs/relay.md says how a site adds relays.</summary>
public sealed class BrokerSectionOptions : IOptionsSection
{
    public const string Section = "Broker";

    /// <summary>The broker's servers (nats://host:port); the client fails over between them.</summary>
    public List<string> Urls { get; set; } = [];

    public string User { get; set; } = "";

    public string Password { get; set; } = "";

    /// <summary>An nkey seed file, instead of User and Password.</summary>
    public string NKeyFile { get; set; } = "";

    /// <summary>First token of every subject: one per station sharing the broker.</summary>
    public string SubjectPrefix { get; set; } = "cathlab";

    /// <summary>The secret the exam keys in subjects are derived from; the relays are given it, the broker never is.</summary>
    public string ExamKeySecret { get; set; } = "";

    /// <summary>Seconds of live frames JetStream keeps for relays that start late.</summary>
    public int FrameWindowSeconds { get; set; } = 5;

    /// <summary>Copies of each stream in the broker's cluster (1–5).</summary>
    public int StreamReplicas { get; set; } = 1;

    public bool Configured => Urls.Count > 0;

    public IEnumerable<string> Problems(string at)
    {
        if (!Configured) yield break;
        foreach (string url in Urls)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("nats" or "tls"))
                yield return $"{at}:Urls '{url}' must be a nats:// or tls:// URL";
        }
        if (string.IsNullOrWhiteSpace(ExamKeySecret) || ExamKeySecret.Length < 16)
            yield return $"{at}:ExamKeySecret must be at least 16 characters (subjects carry keys derived from it, not exam ids)";
        if (SubjectPrefix.Length == 0 || SubjectPrefix.AsSpan().IndexOfAny(" .*>") >= 0) yield return $"{at}:SubjectPrefix '{SubjectPrefix}' must be one subject token";
        if (FrameWindowSeconds is < 1 or > 300) yield return $"{at}:FrameWindowSeconds {FrameWindowSeconds} must be 1–300";
        if (StreamReplicas is < 1 or > 5) yield return $"{at}:StreamReplicas {StreamReplicas} must be 1–5";
    }

    /// <summary>The live feed's publishing settings; null when no broker is configured.</summary>
    public BrokerOptions? ToPublisher() => !Configured ? null : new BrokerOptions
    {
        Urls = Urls,
        User = User.Length > 0 ? User : null,
        Password = Password.Length > 0 ? Password : null,
        NKeyFile = NKeyFile.Length > 0 ? NKeyFile : null,
        SubjectPrefix = SubjectPrefix,
        ExamKeySecret = ExamKeySecret,
        FrameWindow = TimeSpan.FromSeconds(FrameWindowSeconds),
        StreamReplicas = StreamReplicas,
    };
}
