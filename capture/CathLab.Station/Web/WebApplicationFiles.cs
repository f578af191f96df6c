using CathLab.Station.Configuration;

namespace CathLab.Station.Web;

/// <summary>The web application (capture/web, built by <c>npm run build</c> into capture/web/dist and embedded into this
/// assembly): its page at <c>/</c>, its script, the console WebSocket and the page's sign-in configuration (<see cref="SignInConfiguration"/>). A station built without the front end
/// answers the page with 503 and says how to build it.</summary>
public static class WebApplicationFiles
{
    private static readonly (string Path, string Resource, string ContentType)[] Files =
    [
        ("/", "index.html", "text/html; charset=utf-8"),
        ("/app.js", "app.js", "text/javascript; charset=utf-8"),
    ];

    public static IServiceCollection AddStationWebApplication(this IServiceCollection services) => services.AddSingleton<ConsoleEndpoint>();

    public static WebApplication MapStationWebApplication(this WebApplication app)
    {
        foreach (var (path, resource, contentType) in Files) app.MapGet(path, (HttpContext c) => ServeAsync(c, resource, contentType));
        // Resolved per request, not bound as a handler parameter: where StationOptions is not a service, a bound
        // parameter would be inferred as a request body and fail every endpoint of the host at its first request.
        app.MapGet(SignInConfiguration.Path, (HttpContext c) => SignInConfiguration.Answer(c.RequestServices.GetService<StationOptions>()));
        app.Map(ConsoleEndpoint.Path, (HttpContext c, ConsoleEndpoint console) => console.AcceptAsync(c));
        return app;
    }

    private static async Task ServeAsync(HttpContext context, string name, string contentType)
    {
        await using var stream = typeof(WebApplicationFiles).Assembly.GetManifestResourceStream("webapp/" + name);
        if (stream is null)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            await context.Response.WriteAsync("The web application is not built into this station: run scripts/setup.sh (npm ci and npm run build in capture/web), then build the station.");
            return;
        }
        context.Response.ContentType = contentType;
        context.Response.Headers.CacheControl = "no-cache";
        await stream.CopyToAsync(context.Response.Body, context.RequestAborted);
    }
}
