using CathLab.Acquisition.Imaging;

namespace CathLab.Station.Live;

/// <summary>Starts the processing stage (its own thread) with the host and stops it at shutdown.</summary>
public sealed class ProcessingService(ProcessingStage stage, ILogger<ProcessingService> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        stage.Start();
        logger.LogInformation("processing: {Backend}", stage.Backend);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        stage.Dispose();
        return Task.CompletedTask;
    }
}
