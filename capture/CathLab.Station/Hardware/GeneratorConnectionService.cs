using CathLab.FirmwareBridge;

namespace CathLab.Station.Hardware;

/// <summary>Connects to the generator at start. A generator that is off or unplugged does not stop the station:
/// it keeps trying in the background (the console shows "generator not connected") until the generator answers.</summary>
public sealed class GeneratorConnectionService(GeneratorBridge bridge, ILogger<GeneratorConnectionService> logger) : BackgroundService
{
    private static readonly TimeSpan RetryEvery = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        bridge.Alert += alert => logger.LogWarning("{Kind}: {Text}", alert.Kind, alert.Text);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await bridge.ConnectAsync(stoppingToken);
                var identity = bridge.Link.Identity;
                logger.LogInformation("generator connected: {Identity}", identity);
                return;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning("generator not connected ({Error}); retrying every {Seconds} s", e.Message, RetryEvery.TotalSeconds);
                await Task.Delay(RetryEvery, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }
}
