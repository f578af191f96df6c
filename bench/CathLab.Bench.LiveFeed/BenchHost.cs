using System.Net;
using CathLab.LiveFeed.Hosting;
using CathLab.LiveFeed.Review;
using CathLab.Security.Access;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CathLab.Bench.LiveFeed;

/// <summary>A live-feed host on a loopback HTTP/2 port, for the benchmarks that go through the throttling relay (and,
/// with a broker, the one that fans out through NATS).</summary>
internal static class BenchHost
{
    public static async Task<(WebApplication App, int Port)> StartAsync(string token, string exam, IRecordedRunCatalog? catalog = null, CathLab.LiveFeed.Broker.BrokerOptions? broker = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        ListenOptions? grpc = null;
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => { grpc = l; l.Protocols = HttpProtocols.Http2; }));
        if (catalog is not null) builder.Services.AddSingleton(catalog);
        builder.Services.AddCathLabLiveFeed(new LiveFeedOptions { Tokens = [new TokenGrant { Subject = "bench", Token = token, Exams = [exam] }], Broker = broker });
        var app = builder.Build();
        app.MapCathLabLiveFeed();
        await app.StartAsync();
        return (app, grpc!.IPEndPoint!.Port);
    }
}
