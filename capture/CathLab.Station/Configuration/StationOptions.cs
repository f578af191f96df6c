using CathLab.Acquisition.Calibration;
using CathLab.Acquisition.Configuration;
using CathLab.Acquisition.Imaging;
using CathLab.Acquisition.Protocols;
using CathLab.Acquisition.Recording;
using CathLab.Acquisition.Sources;
using CathLab.Dicom.IO;
using CathLab.Station.Archive;
using CathLab.Station.Hardware;

namespace CathLab.Station.Configuration;

/// <summary>The station's configuration (section "Station" of appsettings.json, environment variables
/// Station__..., or --Station:... on the command line): the station's own keys, and each component's options in a
/// section of its own (<see cref="Components"/>), which declare and check their own limits.</summary>
public sealed class StationOptions : IOptionsSection
{
    public const string Section = "Station";
    public const int MinFramePoolSize = 16, MaxFramePoolSize = 2048;
    public const int MinRecorderQueueFrames = 8;
    public const int MinPulseReportWaitMs = 50, MaxPulseReportWaitMs = 10_000;
    public const int MinCommitmentTimeoutSeconds = 5, MaxCommitmentTimeoutSeconds = 86_400;
    public const int MaxSpoolReserveMiB = 1_048_576;
    public const double MaxFluoroStoreSeconds = 60;

    /// <summary>The station's own DICOM application entity title (1–16 characters of the default repertoire, no backslash).</summary>
    public string AeTitle { get; set; } = "CATHLAB";
    public string StationName { get; set; } = "CATHLAB-1";
    public GeneratorOptions Generator { get; set; } = new();
    public ExposureOptions Exposure { get; set; } = new();
    public DetectorOptions Detector { get; set; } = new();
    public ArchiveOptions Archive { get; set; } = new();
    public ProcessingOptions Processing { get; set; } = new();
    public CalibrationOptions Calibration { get; set; } = new();
    public List<PacsPeerOptions> Pacs { get; set; } = [];

    /// <summary>The Modality Worklist provider (C-FIND); none configured: exams are started by hand.</summary>
    public DicomPeerOptions Worklist { get; set; } = new();

    /// <summary>The receiver of Modality Performed Procedure Steps (N-CREATE / N-SET); none configured: no MPPS is sent.</summary>
    public DicomPeerOptions Mpps { get; set; } = new();

    /// <summary>Port of the station's own DICOM listener on all interfaces, where a PACS opens the association that
    /// carries its storage commitment report (N-EVENT-REPORT). Used when a PACS with storage commitment is configured.</summary>
    public int DicomPort { get; set; } = 11112;

    /// <summary>How long the station waits for a PACS's storage commitment report before it asks again (a PACS that
    /// restarted after the request never answers it).</summary>
    public int CommitmentTimeoutSeconds { get; set; } = 600;
    public List<TokenOptions> Tokens { get; set; } = [];

    /// <summary>The site's OpenID Connect provider, whose access tokens are accepted besides <see cref="Tokens"/>.</summary>
    public OidcOptions Oidc { get; set; } = new();

    /// <summary>How long a person's session lasts without input (Station:Security:IdleMinutes).</summary>
    public SecurityOptions Security { get; set; } = new();

    /// <summary>Invitations to one exam: their longest time limit, their journal, the page their link opens.</summary>
    public InvitationOptions Invitations { get; set; } = new();

    /// <summary>The site's syslog audit repository (ATNA); none: the local audit file only.</summary>
    public AuditRepositoryOptions AuditRepository { get; set; } = new();

    /// <summary>The SMTP relay that e-mails invitation links; none: the link is only shown to the inviter.</summary>
    public MailOptions Mail { get; set; } = new();
    /// <summary>The NATS broker the live feed is published through to relays; none configured: no relays.</summary>
    public BrokerSectionOptions Broker { get; set; } = new();

    /// <summary>The site's own acquisition protocols (free settings within the generator's limits), offered after the
    /// built-in ones; a name already built in replaces that one.</summary>
    public List<ProtocolOptions> Protocols { get; set; } = [];

    /// <summary>Frame buffers allocated at start (2 MiB each at 1024×1024).</summary>
    public int FramePoolSize { get; set; } = 96;

    /// <summary>Frames the recorder may fall behind by before a run fails; at 60 fps, 64 frames is about a second.</summary>
    public int RecorderQueueFrames { get; set; } = 64;

    /// <summary>How long the recorder waits for the generator's report of a frame's pulse before the run fails.</summary>
    public int RecorderPulseReportWaitMs { get; set; } = 500;

    /// <summary>How runs are written: JpegLsLossless (the default: JPEG-LS lossless, encapsulated, no size bound, 1.45–3.9:1 on
    /// the simulator's frames), RleLossless (encapsulated, lossless, 1.0–2.0:1) or ExplicitVRLittleEndian (uncompressed; a run then holds
    /// at most 4 GiB of pixel data, 2047 frames at 1024×1024, and the station ends the exposure there).</summary>
    public RecorderTransferSyntax RecorderTransferSyntax { get; set; } = RecorderTransferSyntax.JpegLsLossless;

    /// <summary>With JpegLsLossless, the fastest pulse rate (pulses/s) written in JPEG-LS; faster runs are written in RLE
    /// Lossless. JPEG-LS costs 24–30 ms a 1024² frame on one core (33–41 fps alone); inside the station on the 2-core
    /// test machine a 30 fps JPEG-LS run fell behind and failed (bench/RESULTS.md, station end to end), so the default
    /// is 15; a station with cores to spare may raise it.</summary>
    public double RecorderJpegLsUpToRate { get; set; } = 15;

    /// <summary>Space kept free on the spool's file system: a run is ended before it would take it.</summary>
    public int SpoolReserveMiB { get; set; } = 256;

    /// <summary>gRPC endpoint (control API and live feed). Plain http:// is HTTP/2 without TLS (h2c); https:// offers HTTP/1.1 and HTTP/2.</summary>
    public string ListenUrl { get; set; } = "http://127.0.0.1:5700";

    /// <summary>HTTP/1.1 endpoint for the browser viewer (/live) and the health check (/health).</summary>
    public string WebUrl { get; set; } = "http://127.0.0.1:5701";

    /// <summary>Fluoro kept in memory for "save the last N seconds of fluoro" (at up to 15 pulses/s).</summary>
    public double FluoroStoreSeconds { get; set; } = 10;

    /// <summary>Where the live feed's audit trail (who watched which exam, when, for how long) is appended, as JSON lines.</summary>
    public string AuditPath { get; set; } = "audit.jsonl";

    /// <summary>Where each exam's case discussion keeps its journal (one SQLite file per exam; docs/discussion.md).</summary>
    public string DiscussionFolder { get; set; } = "discussions";

    /// <summary>The components' sections, each with its key under Station.</summary>
    public IEnumerable<(string Key, IOptionsSection Options)> Components =>
    [
        (GeneratorOptions.Section, Generator), (ExposureOptions.Section, Exposure), (DetectorOptions.Section, Detector),
        (ArchiveOptions.Section, Archive), (ProcessingOptions.Section, Processing), (CalibrationOptions.Section, Calibration),
        (nameof(Worklist), Worklist), (nameof(Mpps), Mpps), (OidcOptions.Section, Oidc),
        (SecurityOptions.Section, Security), (InvitationOptions.Section, Invitations), (MailOptions.Section, Mail),
        (AuditRepositoryOptions.Section, AuditRepository),
        (BrokerSectionOptions.Section, Broker),
    ];

    /// <summary>The keys that hold lists of sections, each item checked on its own.</summary>
    public static IReadOnlyList<string> ListKeys { get; } = [nameof(Pacs), nameof(Tokens), nameof(Protocols)];

    /// <summary>The list items, each with its key under Station ("Pacs:0").</summary>
    public IEnumerable<(string Key, IOptionsSection Options)> Items =>
        Pacs.Select((p, i) => ($"{nameof(Pacs)}:{i}", (IOptionsSection)p))
            .Concat(Tokens.Select((t, i) => ($"{nameof(Tokens)}:{i}", (IOptionsSection)t)))
            .Concat(Protocols.Select((p, i) => ($"{nameof(Protocols)}:{i}", (IOptionsSection)p)));

    /// <summary>The station's own keys and the list items; the components are checked as sections of their own.</summary>
    public IEnumerable<string> Problems(string at) =>
        OwnProblems(at).Concat(Items.SelectMany(item => item.Options.Problems($"{at}:{item.Key}")));

    /// <summary>The station's own keys, and the rules between keys of different sections.</summary>
    public IEnumerable<string> OwnProblems(string at)
    {
        if (!OptionsChecks.IsAeTitle(AeTitle)) yield return OptionsChecks.AeTitleProblem($"{at}:AeTitle", AeTitle);
        if (string.IsNullOrWhiteSpace(StationName)) yield return $"{at}:StationName must not be empty";
        var callers = Archive.AllowedCallingAeTitles;
        if (callers.Count > 0 && !callers.Contains(AeTitle))
            yield return $"{at}:Archive:AllowedCallingAeTitles must include {at}:AeTitle '{AeTitle}': the station's own publishing calls the archive with it";
        if (CommitmentTimeoutSeconds is < MinCommitmentTimeoutSeconds or > MaxCommitmentTimeoutSeconds)
            yield return $"{at}:CommitmentTimeoutSeconds {CommitmentTimeoutSeconds} must be {MinCommitmentTimeoutSeconds}–{MaxCommitmentTimeoutSeconds}";
        if (!OptionsChecks.IsPort(DicomPort)) yield return $"{at}:DicomPort {DicomPort} must be 1–65535";
        if (FramePoolSize is < MinFramePoolSize or > MaxFramePoolSize) yield return $"{at}:FramePoolSize {FramePoolSize} must be {MinFramePoolSize}–{MaxFramePoolSize}";
        if (RecorderQueueFrames < MinRecorderQueueFrames || RecorderQueueFrames >= FramePoolSize)
            yield return $"{at}:RecorderQueueFrames {RecorderQueueFrames} must be at least {MinRecorderQueueFrames} and less than FramePoolSize ({FramePoolSize})";
        bool listenOk = Uri.TryCreate(ListenUrl, UriKind.Absolute, out var url) && url.Scheme is "http" or "https";
        bool webOk = Uri.TryCreate(WebUrl, UriKind.Absolute, out var web) && web.Scheme is "http" or "https";
        if (!listenOk) yield return $"{at}:ListenUrl '{ListenUrl}' must be an http or https URL";
        if (!webOk) yield return $"{at}:WebUrl '{WebUrl}' must be an http or https URL";
        if (url is not null && web is not null && url.Port == web.Port && url.Port != 0 && string.Equals(url.Host, web.Host, StringComparison.OrdinalIgnoreCase))
            yield return $"{at}:ListenUrl and {at}:WebUrl must use different ports (gRPC needs HTTP/2, the browser HTTP/1.1)";
        if (RecorderPulseReportWaitMs is < MinPulseReportWaitMs or > MaxPulseReportWaitMs)
            yield return $"{at}:RecorderPulseReportWaitMs {RecorderPulseReportWaitMs} must be {MinPulseReportWaitMs}–{MaxPulseReportWaitMs}";
        if (!Enum.IsDefined(RecorderTransferSyntax))
            yield return $"{at}:RecorderTransferSyntax '{RecorderTransferSyntax}' must be {OptionsChecks.Names<RecorderTransferSyntax>()}";
        if (!(RecorderJpegLsUpToRate is >= 1 and <= 60)) yield return $"{at}:RecorderJpegLsUpToRate {RecorderJpegLsUpToRate} must be 1–60 pulses/s";
        if (SpoolReserveMiB is < 0 or > MaxSpoolReserveMiB) yield return $"{at}:SpoolReserveMiB {SpoolReserveMiB} must be 0–{MaxSpoolReserveMiB}";
        if (!(FluoroStoreSeconds is >= 0 and <= MaxFluoroStoreSeconds)) yield return $"{at}:FluoroStoreSeconds {FluoroStoreSeconds} must be 0–{MaxFluoroStoreSeconds}";
        if (string.IsNullOrWhiteSpace(AuditPath)) yield return $"{at}:AuditPath must not be empty";
        if (string.IsNullOrWhiteSpace(DiscussionFolder)) yield return $"{at}:DiscussionFolder must not be empty";
    }
}
