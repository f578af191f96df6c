using CathLab.Discussion;
using CathLab.LiveFeed.Review;
using CathLab.Security.Audit;
using CathLab.Station.Configuration;

namespace CathLab.Station.Discussion;

/// <summary>The case discussion in the station: one registry of coordinators (journals under
/// <see cref="StationOptions.DiscussionFolder"/>), their captures as presentation states into the outbox, and the WebSocket endpoint.</summary>
public static class DiscussionRegistration
{
    public static IServiceCollection AddStationDiscussion(this IServiceCollection services, StationOptions options)
    {
        services.AddSingleton<IRunFrameCounts>(sp => new ExamRunFrameCounts(sp.GetRequiredService<IRecordedRunCatalog>()));
        services.AddSingleton<IFrameCapture, GspsFrameCapture>();
        services.AddSingleton(sp => new DiscussionRegistry(Path.GetFullPath(options.DiscussionFolder), sp.GetRequiredService<IRunFrameCounts>(),
            sp.GetRequiredService<IAuditLog>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IFrameCapture>()));
        services.AddSingleton<DiscussionEndpoint>();
        return services;
    }

    public static WebApplication MapStationDiscussion(this WebApplication app)
    {
        app.Map(DiscussionEndpoint.Path, (HttpContext c, DiscussionEndpoint endpoint) => endpoint.AcceptAsync(c));
        return app;
    }
}
