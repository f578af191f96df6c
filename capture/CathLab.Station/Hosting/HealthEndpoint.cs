using CathLab.Capture.Sources;
using CathLab.FirmwareBridge;
using CathLab.Station.Control;

namespace CathLab.Station.Hosting;

/// <summary>GET /health: 200 with the parts' states when the station can acquire, 503 (same body) when it cannot.</summary>
public static class HealthEndpoint
{
    public static Task WriteAsync(HttpContext context)
    {
        var bridge = context.RequestServices.GetRequiredService<GeneratorBridge>();
        var control = context.RequestServices.GetRequiredService<IStationControl>();
        var source = context.RequestServices.GetRequiredService<IFrameSource>();
        var status = control.Status;
        bool healthy = status.GeneratorConnected && status.ExposureState != "Fault";
        context.Response.StatusCode = healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
        return context.Response.WriteAsJsonAsync(new
        {
            status = healthy ? "ready" : "degraded",
            generator = bridge.Link.State.ToString(),
            generatorIdentity = bridge.Link.Identity?.ToString(),
            exposure = status.ExposureState,
            frameSource = source.Description,
            exam = status.Exam?.ExamId,
            objectsPending = status.ObjectsPending,
            objectsFailed = status.ObjectsFailed,
        });
    }
}
