using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace CathLab.LiveFeed.Web;

/// <summary>The web application (capture/web, built by <c>npm run build</c> into capture/web/dist) as a host embeds it
/// under <c>webapp/</c>: its page at <c>/</c> and its script, served without caching. A host built without the front
/// end answers 503 and says how to build it. The station and the relay serve it alike.</summary>
public static class EmbeddedWebApplication
{
    private static readonly (string Path, string Resource, string ContentType)[] Files =
    [
        ("/", "index.html", "text/html; charset=utf-8"),
        ("/app.js", "app.js", "text/javascript; charset=utf-8"),
    ];

    /// <param name="host">The assembly the host embedded the files in.</param>
    /// <param name="hostName">What the host is ("station", "relay"), for the 503's message.</param>
    public static WebApplication MapEmbeddedWebApplication(this WebApplication app, Assembly host, string hostName)
    {
        foreach (var (path, resource, contentType) in Files) app.MapGet(path, (HttpContext c) => ServeAsync(c, host, hostName, resource, contentType));
        return app;
    }

    private static async Task ServeAsync(HttpContext context, Assembly host, string hostName, string name, string contentType)
    {
        await using var stream = host.GetManifestResourceStream("webapp/" + name);
        if (stream is null)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            await context.Response.WriteAsync($"The web application is not built into this {hostName}: run scripts/setup.sh (npm ci and npm run build in capture/web), then build the {hostName}.");
            return;
        }
        context.Response.ContentType = contentType;
        context.Response.Headers.CacheControl = "no-cache";
        await stream.CopyToAsync(context.Response.Body, context.RequestAborted);
    }
}
