using CathLab.LiveFeed.Web;

namespace CathLab.Relay;

/// <summary>The web application's page and script, embedded from capture/web/dist as in the station, and its sign-in
/// configuration: a relay offers sign-in by token only. An observer signed in at the relay gets the viewer, whose live
/// monitor watches /live/ws here; a relay has no recorded runs and no discussion (those are the station's).</summary>
internal static class RelayWebApplication
{
    public static WebApplication MapRelayWebApplication(this WebApplication app)
    {
        app.MapEmbeddedWebApplication(typeof(RelayWebApplication).Assembly, "relay");
        app.MapGet("/auth/config", () => Results.Json(new { provider = false }));
        return app;
    }
}
