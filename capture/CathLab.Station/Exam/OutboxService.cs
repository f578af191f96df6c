using CathLab.Acquisition.Recording;
using CathLab.Dicom.Iods.Xa;
using CathLab.Publishing;
using CathLab.Publishing.Journal;
using CathLab.Station.Archive;
using CathLab.Station.Configuration;
using CathLab.Station.Control;

namespace CathLab.Station.Exam;

/// <summary>The station's durable outbox as a hosted service: opened at start on the journal in the spool folder,
/// with every configured PACS as a destination (or the embedded archive when none is). At start it also sweeps the
/// spool: complete objects that a killed station recorded but never journalled are taken in, and partial files of
/// runs that a restart interrupted are removed, so nothing half-written is ever published.</summary>
public sealed class OutboxService(StationOptions options, EmbeddedArchiveService archive, ILoggerFactory loggers) : IHostedService, IAsyncDisposable
{
    private readonly ILogger _logger = loggers.CreateLogger<OutboxService>();
    private Outbox? _outbox;

    public string SpoolFolder { get; } = Path.GetFullPath(options.Archive.SpoolFolder);

    private Outbox Open => _outbox ?? throw new StationRefusedException("publishing has not started");

    public Task StartAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(SpoolFolder);
        IReadOnlyList<PacsDestination> destinations = archive.Enabled
            ? [new PacsDestination("archive", archive.AeTitle, "127.0.0.1", archive.Port) { RequestCommitment = false }]
            : [.. options.Pacs.Select(p => p.Destination())];
        _outbox = Outbox.Open(new OutboxOptions
        {
            JournalPath = Path.Combine(SpoolFolder, "outbox.db"),
            CallingAeTitle = options.AeTitle,
            Destinations = destinations,
            KeepFiles = false,
            CommitmentTimeout = TimeSpan.FromSeconds(options.CommitmentTimeoutSeconds),
            ReportListenerPort = destinations.Any(d => d.RequestCommitment) ? options.DicomPort : null,
            // A PACS on another computer opens the association that carries its commitment report to this port.
            ReportListenerAddress = options.Pacs.Where(p => p.DicomWebUrl.Length == 0).All(p => IsLoopback(p.Host)) ? System.Net.IPAddress.Loopback : System.Net.IPAddress.Any,
        }, logger: loggers.CreateLogger<Outbox>());
        Sweep();
        _logger.LogInformation("publishing to {Destinations}", string.Join(", ", destinations.Select(d => d.DicomWeb is { } web ? $"{d.Name} (STOW-RS {web})" : $"{d.AeTitle}@{d.Host}:{d.Port}{(d.Tls is null ? "" : " (TLS, BCP 195)")}")));
        return Task.CompletedTask;
    }

    public OutboxCounts Counts => _outbox?.Counts() ?? new OutboxCounts(0, 0, 0, 0, 0);

    public IReadOnlyList<OutboxItemView> Items => _outbox is null ? [] :
        [.. _outbox.Items().Select(i => new OutboxItemView(i.Id, i.SopInstanceUid, i.Description, i.Destination, i.State, i.Attempts, i.LastError, i.UpdatedAt))];

    /// <summary>Journals a complete object for every destination.</summary>
    public long Publish(string path, string sopInstanceUid, string description) => Open.Add(path, sopInstanceUid, description);

    public void Retry(long id, string? destination)
    {
        try
        {
            if (destination is null || Open.Items().Any(i => i.Id == id && i.Destination == destination)) Open.Retry(id, destination);
            else Open.SendElsewhere(id, destination);
        }
        catch (Exception e) when (e is ArgumentException or KeyNotFoundException or InvalidOperationException)
        {
            throw new StationRefusedException(e.Message);
        }
    }

    private static bool IsLoopback(string host) =>
        host is "localhost" || (System.Net.IPAddress.TryParse(host, out var address) && System.Net.IPAddress.IsLoopback(address));

    private void Sweep()
    {
        foreach (var partial in Directory.EnumerateFiles(SpoolFolder, "*" + XaRunWriter.PartialSuffix))
        {
            _logger.LogWarning("removing {Partial}: a run interrupted by a stop of the station is never published", partial);
            File.Delete(partial);
        }
        foreach (var file in Directory.EnumerateFiles(SpoolFolder, "*.dcm"))
        {
            try
            {
                Open.Add(file, description: $"recovered from the spool: {Path.GetFileName(file)}");
            }
            catch (Exception e)
            {
                _logger.LogError("{File} stays in the spool, not published: {Error}", file, e.Message);
            }
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await DisposeAsync();

    public async ValueTask DisposeAsync()
    {
        if (_outbox is { } outbox)
        {
            _outbox = null;
            await outbox.DisposeAsync();
        }
    }
}
