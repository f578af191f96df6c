using CathLab.Station.Control;

namespace CathLab.Station.Hosting;

/// <summary>GET /health: 200 when the station can acquire, 503 when it cannot; it answers without a token, so it says only
/// what a load balancer or a service monitor needs (ready or degraded, and which part is not), never an exam, a
/// patient, a device identity or a path.</summary>
public static class HealthEndpoint
{
    public static Task WriteAsync(HttpContext context)
    {
        var status = context.RequestServices.GetRequiredService<IStationControl>().Status;
        bool inFault = status.ExposureState == "Fault";
        bool healthy = status.GeneratorConnected && !inFault;
        context.Response.StatusCode = healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.WriteAsJsonAsync(new
        {
            status = healthy ? "ready" : "degraded",
            generatorConnected = status.GeneratorConnected,
            exposureFault = inFault,
        });
    }
}
