using CathLab.FirmwareBridge;
using CathLab.FirmwareBridge.Link;

namespace CathLab.Station.Hardware;

/// <summary>Stops emission first when the station shuts down: on ApplicationStopping, before any hosted service
/// stops, the pedal is released and the generator told to stop; heartbeats end with the link afterwards, so a
/// generator that missed the command still stops within its heartbeat window.</summary>
public sealed class EmissionGuard(GeneratorBridge bridge, IHostApplicationLifetime lifetime, ILogger<EmissionGuard> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStopping.Register(StopEmission);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void StopEmission()
    {
        var transition = bridge.Exposure.PedalReleased();
        logger.LogInformation("shutting down: emission stopped first ({Transition})", transition);
        if (bridge.Link.State != LinkState.Connected) return;
        try
        {
            bridge.Link.ExposeOffAsync().Wait(TimeSpan.FromSeconds(2));
        }
        catch (Exception e)
        {
            logger.LogWarning("exposure off at shutdown: {Error}; the generator stops on the missing heartbeat", e.Message);
        }
    }
}
