using CathLab.LiveFeed.Web;
using CathLab.Station.Configuration;

namespace CathLab.Station.Web;

/// <summary>The web application (capture/web, built by <c>npm run build</c> into capture/web/dist and embedded into this
/// assembly): its page at <c>/</c>, its script, the console WebSocket and the page's sign-in configuration (<see cref="SignInConfiguration"/>). A station built without the front end
/// answers the page with 503 and says how to build it.</summary>
public static class WebApplicationFiles
{
    public static IServiceCollection AddStationWebApplication(this IServiceCollection services) => services.AddSingleton<ConsoleEndpoint>();

    public static WebApplication MapStationWebApplication(this WebApplication app)
    {
        app.MapEmbeddedWebApplication(typeof(WebApplicationFiles).Assembly, "station");
        // Resolved per request, not bound as a handler parameter: where StationOptions is not a service, a bound
        // parameter would be inferred as a request body and fail every endpoint of the host at its first request.
        app.MapGet(SignInConfiguration.Path, (HttpContext c) => SignInConfiguration.Answer(c.RequestServices.GetService<StationOptions>()));
        app.MapPost(Invitations.RedeemEndpoint.Path, (HttpContext c) => Invitations.RedeemEndpoint.AnswerAsync(c));
        app.Map(ConsoleEndpoint.Path, (HttpContext c, ConsoleEndpoint console) => console.AcceptAsync(c));
        return app;
    }
}
