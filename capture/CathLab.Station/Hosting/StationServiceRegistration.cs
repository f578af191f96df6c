using CathLab.Capture.Acquisition;
using CathLab.Capture.Configuration;
using CathLab.Capture.Distribution;
using CathLab.Capture.Frames;
using CathLab.Capture.Sources;
using CathLab.FirmwareBridge;
using CathLab.FirmwareBridge.Link;
using CathLab.LiveFeed.Hosting;
using CathLab.LiveFeed.Security;
using CathLab.Station.Archive;
using CathLab.Station.Control;
using CathLab.Station.Exam;
using CathLab.Station.Hardware;

namespace CathLab.Station.Hosting;

/// <summary>Puts every station part into the host. Hosted services start in the order they are added here
/// (archive, generator, frame source, consumers) and stop in the reverse order; emission is stopped before any of
/// them, on <see cref="IHostApplicationLifetime.ApplicationStopping"/>.</summary>
public static class StationServiceRegistration
{
    public const int FramePixels = 1024 * 1024;

    public static IServiceCollection AddCathLabStation(this IServiceCollection services, StationOptions options)
    {
        services.AddSingleton(options);
        services.AddCathLabLiveFeed(new LiveFeedOptions
        {
            Tokens = [.. options.Tokens.Select(ToGrant)],
            AuditPath = Path.GetFullPath(options.AuditPath),
        });
        services.AddSingleton(new FramePool(options.FramePoolSize, FramePixels));
        services.AddSingleton<FrameFanout>();
        services.AddSingleton(sp => new GeneratorBridge(
            new CathLabGeneratorLink(new SerialPortConnector(options.Generator.SerialPort, options.Generator.BaudRate), null,
                sp.GetRequiredService<ILogger<CathLabGeneratorLink>>()),
            sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton<IFrameSource>(sp => FrameSourceFactory.Create(options.Detector, sp));
        services.AddSingleton<RunSequencer>();
        services.AddSingleton(sp => new ProtocolSet(ProtocolCatalog.Defaults));
        services.AddSingleton<RunPublisher>();
        services.AddSingleton<ExamCoordinator>();
        services.AddSingleton<IStationControl>(sp => sp.GetRequiredService<ExamCoordinator>());

        services.AddSingleton<EmbeddedArchiveService>();
        services.AddHostedService(sp => sp.GetRequiredService<EmbeddedArchiveService>());
        services.AddHostedService<GeneratorConnectionService>();
        services.AddHostedService<FrameSourceService>();
        services.AddHostedService<EmissionGuard>();
        return services;
    }

    public static WebApplication MapCathLabStation(this WebApplication app)
    {
        app.MapCathLabLiveFeed();
        // app.MapGrpcService<StationControlService>();
        app.MapGet("/health", (HttpContext context) => HealthEndpoint.WriteAsync(context));
        return app;
    }

    private static TokenGrant ToGrant(TokenOptions token) => new()
    {
        Subject = token.Holder,
        Role = token.Role == "technician" ? LiveFeedRole.Technician : LiveFeedRole.Observer,
        TokenSha256 = token.Sha256,
        Exams = token.Exams.Count == 0 ? ["*"] : token.Exams,
    };
}
