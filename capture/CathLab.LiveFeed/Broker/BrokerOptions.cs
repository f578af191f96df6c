namespace CathLab.LiveFeed.Broker;

/// <summary>The NATS broker the live feed fans out through (the "LiveFeed:Broker" configuration section). Absent: the
/// station serves its own observers only. With <see cref="RelayExams"/> empty the feed publishes (a station); with
/// exams listed it subscribes to them and serves their observers (a relay).</summary>
public sealed record BrokerOptions
{
    /// <summary>One or more server URLs (nats://host:port); the client fails over between them.</summary>
    public IReadOnlyList<string> Urls { get; init; } = [];

    public string? User { get; init; }

    public string? Password { get; init; }

    /// <summary>An nkey seed file (instead of user and password).</summary>
    public string? NKeyFile { get; init; }

    /// <summary>First token of every subject: one per station (or lab) sharing a broker.</summary>
    public string SubjectPrefix { get; init; } = "cathlab";

    /// <summary>The secret from which opaque exam keys are derived; station and relays share it, the broker never sees it.</summary>
    public string ExamKeySecret { get; init; } = "";

    /// <summary>How long JetStream keeps live frames, so that a relay starting late begins at once.</summary>
    public TimeSpan FrameWindow { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Copies of each stream in a cluster (1 to 5): with 3, the window survives one server lost.</summary>
    public int StreamReplicas { get; init; } = 1;

    /// <summary>Frames waiting to be published; when full (broker slow or gone) a frame is dropped for the broker and counted.</summary>
    public int PublishQueueDepth { get; init; } = 8;

    /// <summary>Relay only: the exams it serves (it subscribes to these and no others).</summary>
    public IReadOnlyList<string> RelayExams { get; init; } = [];

    public bool IsRelay => RelayExams.Count > 0;

    public void Validate()
    {
        if (Urls.Count == 0) throw new ArgumentException("the broker needs at least one URL", nameof(Urls));
        if (string.IsNullOrWhiteSpace(ExamKeySecret)) throw new ArgumentException("the broker needs an exam key secret (subjects carry exam keys, not exam ids)", nameof(ExamKeySecret));
        if (SubjectPrefix.Length == 0 || SubjectPrefix.AsSpan().IndexOfAny(" .*>") >= 0)
            throw new ArgumentException("the subject prefix must be one non-empty subject token", nameof(SubjectPrefix));
        if (PublishQueueDepth is < 1 or > 256) throw new ArgumentOutOfRangeException(nameof(PublishQueueDepth), PublishQueueDepth, "must be in [1, 256]");
        if (StreamReplicas is < 1 or > 5) throw new ArgumentOutOfRangeException(nameof(StreamReplicas), StreamReplicas, "must be in [1, 5]");
        if (FrameWindow <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(FrameWindow), FrameWindow, "must be positive");
    }
}
