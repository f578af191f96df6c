using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CathLab.Station.Hosting;

/// <summary>GET /health: 200 when the station can acquire, 503 when it cannot; it answers without a token, so it says only
/// what a load balancer or a service monitor needs (ready or degraded, and which part is not), never an exam, a
/// patient, a device identity or a path.</summary>
public static class HealthAnswer
{
    public const string Path = "/health";

    public static HealthCheckOptions Options { get; } = new()
    {
        ResultStatusCodes =
        {
            [HealthStatus.Healthy] = StatusCodes.Status200OK,
            [HealthStatus.Degraded] = StatusCodes.Status503ServiceUnavailable,
            [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
        },
        ResponseWriter = WriteAsync,
    };

    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        var generator = report.Entries.TryGetValue(nameof(GeneratorHealthCheck), out var entry) ? entry.Data : null;
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.WriteAsJsonAsync(new
        {
            status = report.Status == HealthStatus.Healthy ? "ready" : "degraded",
            generatorConnected = generator?[GeneratorHealthCheck.Connected] is true,
            exposureFault = generator?[GeneratorHealthCheck.InFault] is true,
        });
    }
}
