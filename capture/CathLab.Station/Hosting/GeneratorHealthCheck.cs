using CathLab.FirmwareBridge;
using CathLab.FirmwareBridge.Exposure;
using CathLab.FirmwareBridge.Link;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CathLab.Station.Hosting;

/// <summary>The station can acquire when its generator is connected and not in fault.</summary>
public sealed class GeneratorHealthCheck(GeneratorBridge bridge) : IHealthCheck
{
    public const string Connected = "generatorConnected";
    public const string InFault = "exposureFault";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        bool connected = bridge.Link.State == LinkState.Connected;
        bool inFault = bridge.Exposure.State == ExposureState.Fault;
        var data = new Dictionary<string, object> { [Connected] = connected, [InFault] = inFault };
        return Task.FromResult(connected && !inFault
            ? HealthCheckResult.Healthy(data: data)
            : HealthCheckResult.Unhealthy(connected ? "the exposure controller is in fault" : "the generator is not connected", data: data));
    }
}
