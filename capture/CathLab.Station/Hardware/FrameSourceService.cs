using CathLab.Acquisition.Sources;

namespace CathLab.Station.Hardware;

/// <summary>Starts the frame source with the host and disposes it at shutdown. A detector that is off or unplugged
/// does not stop the station: it keeps trying in the background, as for the generator.</summary>
public sealed class FrameSourceService(IFrameSource source, ILogger<FrameSourceService> logger) : BackgroundService
{
    private static readonly TimeSpan RetryEvery = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await source.StartAsync(stoppingToken);
                logger.LogInformation("frame source: {Source}", source.Description);
                return;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested && e is not NotSupportedException)
            {
                logger.LogWarning("frame source {Source} not started ({Error}); retrying every {Seconds} s", source.Description, e.Message, RetryEvery.TotalSeconds);
                await Task.Delay(RetryEvery, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await source.DisposeAsync();
    }
}
