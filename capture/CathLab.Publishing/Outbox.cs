using CathLab.Dicom.Network.Association;
using CathLab.Dicom.Network.Client;
using CathLab.Dicom.Network.Dimse;
using CathLab.Dicom.Network.Services;
using CathLab.Dicom.Network.Services.Echo;
using CathLab.Dicom.Network.Services.StorageCommitment;
using CathLab.Publishing.Commitment;
using CathLab.Publishing.Delivery;
using CathLab.Publishing.Intake;
using CathLab.Publishing.Journal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CathLab.Publishing;

/// <summary>
/// The durable outbox between the recorder and the PACS peers. <see cref="Add"/> journals a complete object; one loop per
/// destination stores it (C-STORE, retried with back-off), asks for storage commitment, and the file is deleted once every
/// destination has committed it. All state lives in the SQLite journal, so a restart — or a kill — loses nothing.
/// </summary>
public sealed class Outbox : IAsyncDisposable
{
    private readonly OutboxOptions _options;
    private readonly OutboxJournal _journal;
    private readonly CommittedFileReleaser _releaser;
    private readonly ILogger _logger;
    private readonly Dictionary<string, DestinationLoop> _loops = new(StringComparer.Ordinal);
    private readonly DicomServer? _listener;
    private int _disposed;

    private Outbox(OutboxOptions options, CommitmentTracker tracker, TimeProvider clock, ILogger logger)
    {
        _options = options;
        Tracker = tracker;
        _logger = logger;
        _journal = OutboxJournal.Open(options.JournalPath, clock);
        try
        {
            var (resend, rerequest) = _journal.RecoverAfterRestart();
            if (resend + rerequest > 0)
            {
                _logger.LogInformation("outbox recovered: {Resend} interrupted sends go again, {Rerequest} commitments are asked again", resend, rerequest);
            }
            _releaser = new CommittedFileReleaser(_journal, options.KeepFiles, logger);
            _releaser.ReleaseCommitted();
            tracker.Unsolicited += OnReport;
            if (options.ReportListenerPort is { } port)
            {
                _listener = DicomServer.Start(new DicomServerOptions { AeTitle = options.CallingAeTitle, Address = options.ReportListenerAddress, Port = port, Association = options.Association },
                    new CommitmentReportReceiver(tracker), new EchoScp());
            }
            foreach (var destination in options.Destinations)
            {
                if (destination.DicomWeb is not null)
                {
                    _loops.Add(destination.Name, StowRsLoop(destination, options, clock, logger));
                    continue;
                }
                var reachability = new DestinationReachability(destination, _journal, logger);
                var association = destination.Tls is { } tls ? options.Association with { TlsClient = tls } : options.Association;
                var client = new DicomClient(new DicomPeer(destination.Host, destination.Port, destination.AeTitle, options.CallingAeTitle), association);
                var loop = new DestinationLoop(destination, options, _journal, new StoreBatchSender(destination, client, options, _journal, reachability, logger),
                    new CommitmentRequester(destination, client, options, _journal, tracker, OnReport, reachability, logger), _releaser, clock, logger);
                _loops.Add(destination.Name, loop);
            }
        }
        catch
        {
            tracker.Unsolicited -= OnReport;
            _journal.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens (or creates) the journal, takes back what a previous run left in flight and starts one delivery loop per
    /// destination. Pass the tracker that the station's DICOM listener shares (via <see cref="ReportReceiver"/>), or set
    /// <see cref="OutboxOptions.ReportListenerPort"/> to let the outbox listen itself.
    /// </summary>
    public static Outbox Open(OutboxOptions options, CommitmentTracker? tracker = null, TimeProvider? clock = null, ILogger? logger = null)
    {
        var problems = options.Problems();
        if (problems.Count > 0)
        {
            throw new OutboxOptionsException(problems);
        }
        var outbox = new Outbox(options, tracker ?? new CommitmentTracker(), clock ?? TimeProvider.System, logger ?? NullLogger.Instance);
        foreach (var loop in outbox._loops.Values)
        {
            loop.Start();
        }
        return outbox;
    }

    /// <summary>Pairs our storage commitment requests with the PACS's reports.</summary>
    public CommitmentTracker Tracker { get; }

    /// <summary>The service to host on the station's DICOM listener so reports on new associations reach this outbox.</summary>
    public IDimseServiceProvider ReportReceiver => new CommitmentReportReceiver(Tracker);

    /// <summary>The port of the outbox's own report listener, when it runs one.</summary>
    public int? ReportListenerPort => _listener?.Port;

    public IReadOnlyList<string> Destinations => [.. _options.Destinations.Select(d => d.Name)];

    /// <summary>
    /// Takes a complete Part 10 file into the outbox for every destination (or those named). Refuses, with
    /// <see cref="OutboxFileRejectedException"/> and nothing journalled, a "*.partial" file, a missing or unreadable one,
    /// or one whose SOP instance UID is not <paramref name="expectedSopInstanceUid"/>. Adding the same SOP instance again
    /// returns the id it already has.
    /// </summary>
    public long Add(string path, string? expectedSopInstanceUid = null, string? description = null, IReadOnlyList<string>? destinations = null)
    {
        ThrowIfDisposed();
        var targets = destinations ?? Destinations;
        foreach (var name in targets)
        {
            RequireDestination(name);
        }
        var item = CompleteFileInspector.Inspect(path, expectedSopInstanceUid, description);
        var (id, added) = _journal.Add(item, targets);
        if (added)
        {
            WakeAll(targets);
        }
        return id;
    }

    public IReadOnlyList<OutboxItem> Items(DeliveryState? state = null, string? destination = null, int limit = 1000) => _journal.Items(state, destination, limit);

    public OutboxCounts Counts() => _journal.Counts();

    /// <summary>Tries the object again now at one destination or all: a Failed delivery becomes Pending, a backed-off one is
    /// due at once, a sent one has its commitment asked again. Returns how many deliveries that touched.</summary>
    public int Retry(long id, string? destination = null)
    {
        ThrowIfDisposed();
        RequireObject(id);
        if (destination is not null)
        {
            RequireDestination(destination);
        }
        var changed = _journal.Retry(id, destination);
        WakeAll(destination is null ? Destinations : [destination]);
        return changed;
    }

    /// <summary>Sends the object to another configured destination as well (its file must still be on disk).</summary>
    public void SendElsewhere(long id, string destination)
    {
        ThrowIfDisposed();
        RequireDestination(destination);
        var (path, sop) = RequireObject(id);
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"outbox item {id} ({sop}) cannot go to {destination}: its file {path} is no longer on disk");
        }
        if (_journal.AddDelivery(id, destination))
        {
            WakeAll([destination]);
        }
    }

    /// <summary>Gives up a Failed delivery, so the object's file no longer waits for that destination. False when the
    /// delivery is not Failed.</summary>
    public bool Abandon(long id, string destination)
    {
        ThrowIfDisposed();
        RequireObject(id);
        var abandoned = _journal.Abandon(id, destination);
        if (abandoned)
        {
            _releaser.ReleaseCommitted();
        }
        return abandoned;
    }

    private void OnReport(CommitmentReport report)
    {
        try
        {
            var outcome = _journal.ApplyReport(report, _options.Backoff.After);
            if (outcome is null)
            {
                _logger.LogInformation("storage commitment report for unknown transaction {Transaction} ignored", report.TransactionUid);
                return;
            }
            _logger.LogInformation("{Destination} committed {Committed} objects, {Failed} to send again", outcome.Destination, outcome.Committed, outcome.FailedForResend);
            _releaser.ReleaseCommitted();
            if (outcome.FailedForResend > 0)
            {
                WakeAll([outcome.Destination]);
            }
        }
        catch (ObjectDisposedException)
        {
            // the outbox closed meanwhile; the rows are re-requested after the next start
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or InvalidOperationException or IOException)
        {
            _logger.LogError(e, "applying storage commitment report {Transaction} failed; it will be asked again", report.TransactionUid);
        }
    }

    private void WakeAll(IEnumerable<string> destinations)
    {
        foreach (var name in destinations)
        {
            if (_loops.TryGetValue(name, out var loop))
            {
                loop.Wake();
            }
        }
    }

    private void RequireDestination(string name)
    {
        if (_options.FindDestination(name) is null)
        {
            throw new ArgumentException($"'{name}' is not a configured destination (configured: {string.Join(", ", Destinations)})", nameof(name));
        }
    }

    private (string Path, string SopInstanceUid) RequireObject(long id) =>
        _journal.FindObject(id) ?? throw new ArgumentException($"there is no outbox item {id}", nameof(id));

    /// <summary>A DICOMweb destination's loop: STOW-RS over its own HTTP client, no separate commitment step.</summary>
    private DestinationLoop StowRsLoop(PacsDestination destination, OutboxOptions options, TimeProvider clock, ILogger logger)
    {
        // An object of a slow uplink takes minutes to go: the client's own limit only ends a transfer that hangs for good.
        var http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = options.Association.ConnectTimeout, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1) })
        {
            Timeout = TimeSpan.FromMinutes(30),
        };
        return new DestinationLoop(destination, options, _journal, new StowRsSender(destination, http, options, _journal, logger), null, _releaser, clock, logger, http);
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        Tracker.Unsolicited -= OnReport;
        foreach (var loop in _loops.Values)
        {
            await loop.DisposeAsync().ConfigureAwait(false);
        }
        if (_listener is not null)
        {
            await _listener.DisposeAsync().ConfigureAwait(false);
        }
        _journal.Dispose();
    }
}
