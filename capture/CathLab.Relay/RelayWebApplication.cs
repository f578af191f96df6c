namespace CathLab.Relay;

/// <summary>The web application's page and script, embedded from capture/web/dist as in the station, and its sign-in
/// configuration: a relay offers sign-in by token only. An observer signed in at the relay gets the viewer, whose live
/// monitor watches /live/ws here; a relay has no recorded runs and no discussion (those are the station's).</summary>
internal static class RelayWebApplication
{
    private static readonly (string Path, string Resource, string ContentType)[] Files =
    [
        ("/", "index.html", "text/html; charset=utf-8"),
        ("/app.js", "app.js", "text/javascript; charset=utf-8"),
    ];

    public static WebApplication MapRelayWebApplication(this WebApplication app)
    {
        foreach (var (path, resource, contentType) in Files) app.MapGet(path, (HttpContext c) => ServeAsync(c, resource, contentType));
        app.MapGet("/auth/config", () => Results.Json(new { provider = false }));
        return app;
    }

    private static async Task ServeAsync(HttpContext context, string name, string contentType)
    {
        await using var stream = typeof(RelayWebApplication).Assembly.GetManifestResourceStream("webapp/" + name);
        if (stream is null)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            await context.Response.WriteAsync("The web application is not built into this relay: run scripts/setup.sh, then build the relay.");
            return;
        }
        context.Response.ContentType = contentType;
        context.Response.Headers.CacheControl = "no-cache";
        await stream.CopyToAsync(context.Response.Body, context.RequestAborted);
    }
}
