using CathLab.Security.Audit;
using CathLab.Security.Audit.Atna;
using CathLab.LiveFeed.Services;
using CathLab.Security.Access;
using CathLab.Security.Access.Oidc;
using CathLab.Security.Invitations;
using CathLab.Security.Sessions;
using CathLab.LiveFeed.Review;
using CathLab.LiveFeed.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CathLab.LiveFeed.Hosting;

/// <summary>What the station's host calls: <c>services.AddCathLabLiveFeed(options)</c> then <c>app.MapCathLabLiveFeed()</c>.</summary>
public static class LiveFeedHostingExtensions
{
    /// <summary>Registers the hub, token store (and the provider's token validator when one is configured), method policy, audit log, the recorded runs (the host's
    /// <see cref="IRecordedRunCatalog"/> if it registered one, else none) and gRPC with the token interceptor.
    /// The interceptor guards every gRPC service of the host: open a method to observers with
    /// <paramref name="policy"/>; anything not opened needs a technician.</summary>
    public static IServiceCollection AddCathLabLiveFeed(this IServiceCollection services, LiveFeedOptions options, Action<MethodPolicy>? policy = null)
    {
        options.Validate();
        var methodPolicy = new MethodPolicy();
        policy?.Invoke(methodPolicy);
        services.AddSingleton(options);
        services.AddSingleton(methodPolicy);
        services.AddSingleton(new TokenStore(options.Tokens));
        services.TryAddSingleton<IAuditLog>(_ => options.AuditRepository is { } repository
            ? new AtnaSyslogForwarder(new JsonLinesAuditLog(options.AuditPath), repository)
            : new JsonLinesAuditLog(options.AuditPath));
        services.AddSingleton(sp => new SessionLifetimes(ClockOf(sp), options.IdleTimeout, sp.GetRequiredService<IAuditLog>()));
        services.AddSingleton(sp => new InvitationDesk(InvitationJournal.Open(options.Invitations.JournalPath), options.Invitations,
            sp.GetRequiredService<SessionLifetimes>(), sp.GetRequiredService<IAuditLog>(), ClockOf(sp)));
        services.AddSingleton(sp => new StationTokenResolver(sp.GetRequiredService<TokenStore>(),
            options.Oidc is { } oidc ? new OidcTokenValidator(oidc, ClockOf(sp)) : null, sp.GetRequiredService<InvitationDesk>(), sp.GetRequiredService<SessionLifetimes>()));
        services.AddSingleton<IAccessTokenResolver>(sp => sp.GetRequiredService<StationTokenResolver>());
        services.AddSingleton(sp => new LiveFeedHub(sp.GetRequiredService<LiveFeedOptions>()));
        if (options.Broker is { } broker)
        {
            services.AddSingleton(sp => new Broker.BrokerFeedService(sp.GetRequiredService<LiveFeedHub>(), broker));
            services.AddHostedService(sp => sp.GetRequiredService<Broker.BrokerFeedService>());
        }
        services.TryAddSingleton<IRecordedRunCatalog, NoRecordedRuns>();
        services.AddSingleton(sp => new RecordedRunLibrary(sp.GetRequiredService<IRecordedRunCatalog>()));
        services.AddSingleton<RecordedRunCalls>();
        services.AddSingleton<ViewerEndpoint>();
        services.AddSingleton<RecordedRunHttp>();
        services.AddSingleton<AuthInterceptor>();
        services.AddGrpc(o =>
        {
            o.Interceptors.Add<AuthInterceptor>();
            o.MaxReceiveMessageSize = 64 * 1024;
        });
        return services;
    }

    private static TimeProvider ClockOf(IServiceProvider services) => services.GetService<TimeProvider>() ?? TimeProvider.System;

    /// <summary>Maps the gRPC services, the viewer page at <see cref="LiveFeedOptions.WebPath"/> and its WebSocket.</summary>
    public static WebApplication MapCathLabLiveFeed(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<LiveFeedOptions>();
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(15) });
        app.MapGrpcService<LiveFeedService>();
        app.MapGrpcService<LiveFeedControlService>();
        string root = options.WebPath.TrimEnd('/');
        app.MapGet(root + "/", (HttpContext c) => ViewerEndpoint.ServeResourceAsync(c, "index.html", "text/html; charset=utf-8"));
        app.MapGet(root + "/viewer.js", (HttpContext c) => ViewerEndpoint.ServeResourceAsync(c, "viewer.js", "text/javascript; charset=utf-8"));
        app.Map(root + "/ws", (HttpContext c, ViewerEndpoint viewer) => viewer.AcceptAsync(c));
        app.MapGet(root + "/runs", (HttpContext c, RecordedRunHttp runs) => runs.ListAsync(c));
        app.MapGet(root + "/runs/frame", (HttpContext c, RecordedRunHttp runs) => runs.FrameAsync(c));
        return app;
    }
}
