using CathLab.Dicom.Network.Association;

namespace CathLab.Publishing;

/// <summary>How the outbox keeps its journal and reaches its PACS peers. Check with <see cref="Problems"/> before use;
/// <see cref="Outbox.Open"/> refuses options with problems.</summary>
public sealed record OutboxOptions
{
    /// <summary>The SQLite journal file; its folder is created when missing.</summary>
    public required string JournalPath { get; init; }

    /// <summary>Our AE title as SCU (calling AE) and, when <see cref="ReportListenerPort"/> is set, as the listener's called AE.</summary>
    public required string CallingAeTitle { get; init; }

    public required IReadOnlyList<PacsDestination> Destinations { get; init; }

    public RetryBackoff Backoff { get; init; } = new();

    /// <summary>How long a storage commitment request may stay unanswered before it is asked again.</summary>
    public TimeSpan CommitmentTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Keep files on disk after every destination committed them (default: delete them).</summary>
    public bool KeepFiles { get; init; }

    /// <summary>Most objects sent on one association before the loop looks at commitments again.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Longest sleep of an idle delivery loop; Add and Retry wake it at once.</summary>
    public TimeSpan IdlePoll { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long the N-ACTION association stays open for a report on the same association.</summary>
    public TimeSpan SameAssociationReportWait { get; init; } = TimeSpan.FromSeconds(2);

    public AssociationOptions Association { get; init; } = new();

    /// <summary>When set, the outbox runs its own listener on this port for N-EVENT-REPORTs the PACS sends on a new
    /// association (0: any free port). Leave null when the station's own DICOM listener hosts <see cref="Outbox.ReportReceiver"/>.</summary>
    public int? ReportListenerPort { get; init; }

    /// <summary>Where the report listener binds: loopback by default; a PACS on another computer needs <see cref="System.Net.IPAddress.Any"/>.</summary>
    public System.Net.IPAddress ReportListenerAddress { get; init; } = System.Net.IPAddress.Loopback;

    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        void Check(bool ok, string problem)
        {
            if (!ok) problems.Add(problem);
        }

        Check(!string.IsNullOrWhiteSpace(JournalPath), "Outbox:JournalPath must name the journal file");
        Check(IsAeTitle(CallingAeTitle), $"Outbox:CallingAeTitle '{CallingAeTitle}' must be 1–16 printable ASCII characters without backslash");
        Check(Destinations is { Count: > 0 }, "Outbox:Destinations must name at least one PACS");
        for (var i = 0; i < (Destinations?.Count ?? 0); i++)
        {
            var d = Destinations![i];
            Check(!string.IsNullOrWhiteSpace(d.Name), $"Outbox:Destinations:{i}:Name is required (it identifies the PACS in the journal)");
            if (d.DicomWeb is { } root)
            {
                Check(root.IsAbsoluteUri && (root.Scheme == Uri.UriSchemeHttp || root.Scheme == Uri.UriSchemeHttps),
                    $"Outbox:Destinations:{i}:DicomWeb '{root}' must be an absolute http or https URL (the DICOMweb service's root)");
                Check(!d.RequestCommitment, $"Outbox:Destinations:{i}: a DICOMweb destination has no storage commitment (the STOW-RS answer stands for it)");
                continue;
            }
            Check(IsAeTitle(d.AeTitle), $"Outbox:Destinations:{i}:AeTitle '{d.AeTitle}' must be 1–16 printable ASCII characters without backslash");
            Check(!string.IsNullOrWhiteSpace(d.Host), $"Outbox:Destinations:{i}:Host is required");
            Check(d.Port is > 0 and <= 65535, $"Outbox:Destinations:{i}:Port {d.Port} must be 1–65535");
        }
        foreach (var duplicate in (Destinations ?? []).GroupBy(d => d.Name, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            problems.Add($"Outbox:Destinations: the name '{duplicate.Key}' is used {duplicate.Count()} times; names must be unique");
        }
        Check(Backoff.Initial > TimeSpan.Zero, $"Outbox:Backoff:Initial {Backoff.Initial} must be positive");
        Check(Backoff.Cap >= Backoff.Initial, $"Outbox:Backoff:Cap {Backoff.Cap} must be at least Initial ({Backoff.Initial})");
        Check(Backoff.Factor >= 1.0, $"Outbox:Backoff:Factor {Backoff.Factor} must be at least 1");
        Check(CommitmentTimeout > TimeSpan.Zero, $"Outbox:CommitmentTimeout {CommitmentTimeout} must be positive");
        Check(BatchSize is > 0 and <= 1000, $"Outbox:BatchSize {BatchSize} must be 1–1000");
        Check(IdlePoll > TimeSpan.Zero, $"Outbox:IdlePoll {IdlePoll} must be positive");
        Check(SameAssociationReportWait >= TimeSpan.Zero, $"Outbox:SameAssociationReportWait {SameAssociationReportWait} must not be negative");
        Check(ReportListenerPort is null or (>= 0 and <= 65535), $"Outbox:ReportListenerPort {ReportListenerPort} must be 0–65535");
        return problems;
    }

    public PacsDestination? FindDestination(string name) => Destinations.FirstOrDefault(d => d.Name == name);

    private static bool IsAeTitle(string? value) =>
        value is { Length: > 0 and <= 16 } && !string.IsNullOrWhiteSpace(value) && value.All(c => c is >= ' ' and <= '~' and not '\\');
}
