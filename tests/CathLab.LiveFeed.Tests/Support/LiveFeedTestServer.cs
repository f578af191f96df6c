using System.Net;
using System.Security.Cryptography.X509Certificates;
using CathLab.Security.Audit;
using CathLab.LiveFeed.Hosting;
using CathLab.LiveFeed.Review;
using CathLab.Security.Access;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CathLab.LiveFeed.Tests.Support;

/// <summary>A real Kestrel host with the live feed on 127.0.0.1 and a free port, torn down on dispose.</summary>
internal sealed class LiveFeedTestServer : IAsyncDisposable
{
    public const string Exam = "EXAM-1";
    public const string ObserverToken = "observer-token-7f3a";
    public const string TechnicianToken = "technician-token-91c2";
    public const string OtherExamToken = "observer-other-exam-5d0e";

    private readonly WebApplication _app;

    // As the station sets it at start (StationStartup.Prepare): on two cores the pool otherwise adds threads about
    // one a second, and a pool short of a thread stalls every session's writer, fast and slow alike.
    static LiveFeedTestServer()
    {
        ThreadPool.GetMinThreads(out int workers, out int io);
        ThreadPool.SetMinThreads(Math.Max(workers, 32), Math.Max(io, 32));
    }

    private LiveFeedTestServer(WebApplication app, Uri address, Uri webAddress)
    {
        _app = app;
        Address = address;
        WebAddress = webAddress;
    }

    /// <summary>The gRPC endpoint (HTTP/2; with TLS, HTTP/1.1 too).</summary>
    public Uri Address { get; }

    /// <summary>The browser endpoint (HTTP/1.1 for the page and the WebSocket).</summary>
    public Uri WebAddress { get; }

    public LiveFeedHub Hub => _app.Services.GetRequiredService<LiveFeedHub>();

    public T Service<T>() where T : notnull => _app.Services.GetRequiredService<T>();

    public JsonLinesAuditLog Audit => (JsonLinesAuditLog)_app.Services.GetRequiredService<IAuditLog>();

    public static IReadOnlyList<TokenGrant> Tokens { get; } =
    [
        new TokenGrant { Subject = "dr-referrer", Role = StationRole.Observer, Token = ObserverToken, Exams = [Exam] },
        new TokenGrant { Subject = "tech-on-duty", Role = StationRole.Technician, TokenSha256 = TokenStore.Sha256Hex(TechnicianToken) },
        new TokenGrant { Subject = "student", Role = StationRole.Observer, Token = OtherExamToken, Exams = ["EXAM-2"] },
    ];

    public static async Task<LiveFeedTestServer> StartAsync(LiveFeedOptions? options = null, X509Certificate2? certificate = null, ILoggerProvider? log = null, IRecordedRunCatalog? recordedRuns = null)
    {
        options ??= new LiveFeedOptions { Tokens = Tokens };
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (log is not null) builder.Logging.AddProvider(log);
        ListenOptions? grpc = null;
        ListenOptions? web = null;
        builder.WebHost.ConfigureKestrel(k =>
        {
            // Without TLS a port speaks either HTTP/2 (gRPC) or HTTP/1.1 (browser); with TLS, ALPN lets one port do both.
            k.Listen(IPAddress.Loopback, 0, listen =>
            {
                grpc = listen;
                listen.Protocols = certificate is null ? HttpProtocols.Http2 : HttpProtocols.Http1AndHttp2;
                if (certificate is not null) listen.UseHttps(certificate);
            });
            if (certificate is null) k.Listen(IPAddress.Loopback, 0, listen => { web = listen; listen.Protocols = HttpProtocols.Http1; });
        });
        builder.Services.AddSingleton<IAuditLog>(new JsonLinesAuditLog(null));
        if (recordedRuns is not null) builder.Services.AddSingleton(recordedRuns);
        builder.Services.AddCathLabLiveFeed(options);
        var app = builder.Build();
        app.MapCathLabLiveFeed();
        await app.StartAsync();
        string scheme = certificate is null ? "http" : "https";
        var grpcUri = new Uri($"{scheme}://127.0.0.1:{grpc!.IPEndPoint!.Port}");
        var webUri = web is null ? grpcUri : new Uri($"http://127.0.0.1:{web.IPEndPoint!.Port}");
        var server = new LiveFeedTestServer(app, grpcUri, webUri);
        server.Hub.BeginExam(Exam);
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _app.StopAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
        }
        await _app.DisposeAsync();
    }
}
