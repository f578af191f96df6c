using System.Net;
using CathLab.FirmwareBridge.Exposure;
using CathLab.Security.Audit;
using CathLab.LiveFeed.Hosting;
using CathLab.Security.Access;
using CathLab.Station.Control;
using CathLab.Station.Web;
using CathLab.Station.Configuration;
using CathLab.Station.Invitations;
using CathLab.Security.Access.Oidc;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CathLab.Station.Tests.Support;

/// <summary>A real Kestrel host on 127.0.0.1 (a free port, HTTP/2 without TLS) with the live feed's security and
/// the station control service over a <see cref="FakeStation"/>; stopped on dispose.</summary>
internal sealed class ControlTestServer : IAsyncDisposable
{
    public const string TechnicianToken = "tech-token-3b9e1";
    public const string ObserverToken = "observer-token-77d0";

    private readonly WebApplication _app;

    private ControlTestServer(WebApplication app, Uri address, Uri webAddress, FakeStation station, JsonLinesAuditLog audit)
    {
        _app = app;
        Address = address;
        WebAddress = webAddress;
        Station = station;
        Audit = audit;
    }

    public Uri Address { get; }

    /// <summary>HTTP/1.1: the web application and its console WebSocket, over the same control service.</summary>
    public Uri WebAddress { get; }

    public FakeStation Station { get; }

    public JsonLinesAuditLog Audit { get; }

    /// <param name="invitations">Also the live feed, the invitations service and its mail: the site's provider, its SMTP
    /// relay (null: none).</param>
    public static async Task<ControlTestServer> StartAsync(TimeSpan? pedalLease = null, (OidcSettings? Oidc, MailOptions Mail)? invitations = null)
    {
        var station = new FakeStation();
        var audit = new JsonLinesAuditLog(null);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        ListenOptions? grpc = null, web = null;
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, 0, listen =>
            {
                grpc = listen;
                listen.Protocols = HttpProtocols.Http2;
            });
            k.Listen(IPAddress.Loopback, 0, listen =>
            {
                web = listen;
                listen.Protocols = HttpProtocols.Http1;
            });
        });
        builder.Services.AddSingleton<IAuditLog>(audit);
        builder.Services.AddCathLabLiveFeed(new LiveFeedOptions
        {
            Tokens =
            [
                new TokenGrant { Subject = "tech-on-duty", Role = StationRole.Technician, Token = TechnicianToken },
                new TokenGrant { Subject = "dr-referrer", Role = StationRole.Observer, Token = ObserverToken, Exams = ["*"] },
            ],
            Oidc = invitations?.Oidc,
        }, policy => policy.Require(InvitationControlService.InviteMethod, StationRole.Observer));
        builder.Services.AddSingleton(invitations?.Mail ?? new MailOptions());
        builder.Services.AddSingleton<InvitationMailer>();
        builder.Services.AddSingleton<IStationControl>(station);
        builder.Services.AddSingleton<IExposurePresses>(station);
        builder.Services.AddSingleton(new PedalLease(pedalLease ?? TimeSpan.FromMilliseconds(PedalLease.DefaultMs)));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddStationWebApplication();
        var app = builder.Build();
        app.UseWebSockets();
        app.MapGrpcService<StationControlService>();
        app.MapStationWebApplication();
        if (invitations is not null)
        {
            app.MapCathLabLiveFeed();
            app.MapGrpcService<InvitationControlService>();
        }
        await app.StartAsync();
        return new ControlTestServer(app, new Uri($"http://127.0.0.1:{grpc!.IPEndPoint!.Port}"), new Uri($"http://127.0.0.1:{web!.IPEndPoint!.Port}"), station, audit);
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
        Audit.Dispose();
    }
}
