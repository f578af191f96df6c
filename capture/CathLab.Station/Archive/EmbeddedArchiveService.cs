using CathLab.Dicom.Network.Association;
using CathLab.Dicom.Network.Services.Echo;
using CathLab.Dicom.Network.Services.Store;
using CathLab.Station.Configuration;

namespace CathLab.Station.Archive;

/// <summary>The station's own storage SCP on 127.0.0.1, archiving to a local folder. With no PACS configured it is
/// where publishing sends every object, so a station without a hospital network still keeps every run as DICOM,
/// through the same C-STORE path a PACS would see.</summary>
public sealed class EmbeddedArchiveService(StationOptions options, ILogger<EmbeddedArchiveService> logger) : IHostedService, IAsyncDisposable
{
    private DicomServer? _server;
    private long _stored;

    public string Folder { get; } = Path.GetFullPath(options.Archive.Folder);

    public string AeTitle => options.Archive.AeTitle;

    /// <summary>The port it listens on once started (the configured one, or a free one when that is 0).</summary>
    public int Port => _server?.Port ?? throw new InvalidOperationException("the embedded archive has not started");

    public bool Enabled => options.Pacs.Count == 0;

    public long Stored => Interlocked.Read(ref _stored);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!Enabled) return Task.CompletedTask;
        var store = new StoreScp(Folder)
        {
            Stored = (instance, _) =>
            {
                Interlocked.Increment(ref _stored);
                logger.LogInformation("archive: stored {Sop} from {Caller} ({Bytes} bytes)", instance.SopInstanceUid, instance.CallingAeTitle, instance.Length);
                return ValueTask.CompletedTask;
            },
        };
        var callers = options.Archive.AllowedCallingAeTitles;
        _server = DicomServer.Start(new DicomServerOptions
        {
            AeTitle = options.Archive.AeTitle,
            Port = options.Archive.Port,
            AllowedCallingAeTitles = callers.Count > 0 ? callers.Select(c => c.Trim()).ToHashSet(StringComparer.Ordinal) : null,
        }, new EchoScp(), store);
        _server.AssociationFailed += e => logger.LogWarning("archive: association failed: {Error}", e.Message);
        logger.LogInformation("embedded archive {Ae} on 127.0.0.1:{Port}, folder {Folder}", AeTitle, _server.Port, Folder);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await DisposeAsync();

    public async ValueTask DisposeAsync()
    {
        if (_server is { } server)
        {
            _server = null;
            await server.DisposeAsync();
        }
    }
}
