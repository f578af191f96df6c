using CathLab.FirmwareBridge;
using CathLab.FirmwareBridge.Exposure;

namespace CathLab.Station.Hardware;

/// <summary>Stops emission first when the station shuts down: on ApplicationStopping, before any hosted service
/// stops, the exposure controller gets an emergency stop (ExposeOff ahead of everything); heartbeats end with the link
/// afterwards, so a generator that missed the command still stops within its heartbeat window.</summary>
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
        var transition = bridge.Exposure.EmergencyStop(InputSource.Station, "station shutting down");
        logger.LogInformation("shutting down: emission stopped first ({Transition})", transition);
    }
}
