using System.Net;
using CathLab.LiveFeed.Hosting;
using CathLab.Station.Configuration;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace CathLab.Station.Hosting;

/// <summary>Reads and checks the configuration, then builds the web host with every station service in it.
/// A bad value stops here, with one line per problem, before any port or device is opened.</summary>
public sealed class StationStartup : IAsyncDisposable
{
    private readonly WebApplication _app;

    private StationStartup(WebApplication app) => _app = app;

    public IServiceProvider Services => _app.Services;

    /// <summary>The host, ready to run; null (with the problems written to <paramref name="error"/>) when the configuration is bad.</summary>
    public static StationStartup? Prepare(string[] args, TextWriter error, Action<WebApplicationBuilder>? adjust = null)
    {
        // The serial link, the frame link and the recorder each block a thread at times; on a two-core computer the
        // pool would otherwise add threads slowly, and a late heartbeat stops the generator.
        ThreadPool.GetMinThreads(out int workers, out int io);
        ThreadPool.SetMinThreads(Math.Max(workers, 32), Math.Max(io, 32));
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        adjust?.Invoke(builder);
        var (options, problems) = StationConfiguration.Read(builder.Configuration);
        if (problems.Count > 0)
        {
            error.WriteLine($"cathlab-station: {problems.Count} configuration problem(s), nothing started:");
            foreach (var problem in problems) error.WriteLine($"  - {problem}");
            return null;
        }
        ListenOn(builder, options);
        builder.Services.AddStationSections();
        builder.Services.AddCathLabStation(options);
        var app = builder.Build();
        app.MapCathLabStation();
        return new StationStartup(app);
    }

    public Task RunAsync() => _app.RunAsync();

    public Task StartAsync(CancellationToken cancellationToken = default) => _app.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken = default) => _app.StopAsync(cancellationToken);

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    private static void ListenOn(WebApplicationBuilder builder, StationOptions options)
    {
        var grpc = new Uri(options.ListenUrl);
        var web = new Uri(options.WebUrl);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // Without TLS one port speaks either HTTP/2 (gRPC) or HTTP/1.1 (browser, health); with TLS, ALPN lets one port do both.
            kestrel.Listen(AddressOf(grpc), grpc.Port, listen =>
            {
                if (grpc.Scheme == "https")
                {
                    listen.Protocols = HttpProtocols.Http1AndHttp2;
                    listen.UseHttps();
                }
                else listen.Protocols = HttpProtocols.Http2;
            });
            kestrel.Listen(AddressOf(web), web.Port, listen =>
            {
                listen.Protocols = HttpProtocols.Http1;
                if (web.Scheme == "https") listen.UseHttps();
            });
        });
    }

    private static IPAddress AddressOf(Uri url) =>
        url.Host is "localhost" ? IPAddress.Loopback
        : url.Host is "*" or "+" or "0.0.0.0" ? IPAddress.Any
        : IPAddress.TryParse(url.Host, out var address) ? address
        : throw new StationStartException($"'{url.Host}' is not an IP address; give the address to listen on (127.0.0.1, 0.0.0.0)");
}
