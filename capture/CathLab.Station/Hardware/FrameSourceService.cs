using CathLab.Capture.Sources;

namespace CathLab.Station.Hardware;

/// <summary>Starts the frame source with the host and disposes it at shutdown.</summary>
public sealed class FrameSourceService(IFrameSource source, ILogger<FrameSourceService> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await source.StartAsync(cancellationToken);
        logger.LogInformation("frame source: {Source}", source.Description);
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await source.DisposeAsync();
}
